package ofac

// tag is a small code for the element names the parser acts on; every other
// element is tagOther. Comparing codes instead of strings keeps the hot loop cheap.
type tag uint8

const (
	tagNone tag = iota // "no parent": the root's parent
	tagOther
	tagSanctions
	tagDateOfIssue
	tagYear
	tagMonth
	tagDay

	// the sections under the root
	tagReferenceValueSets
	tagLocations
	tagIDRegDocuments
	tagDistinctParties
	tagSanctionsEntries

	// ReferenceValueSets
	tagAliasType
	tagCountry
	tagFeatureType
	tagIDRegDocType
	tagList
	tagPartySubType
	tagPartyType
	tagScript

	// Locations
	tagLocation
	tagLocationCountry
	tagValue

	// IDRegDocuments
	tagIDRegDocument
	tagIDRegistrationNo

	// DistinctParties
	tagDistinctParty
	tagComment
	tagProfile
	tagIdentity
	tagAlias
	tagDocumentedName
	tagNamePartValue
	tagFeature
	tagFeatureVersion
	tagVersionDetail
	tagVersionLocation
	tagDatePeriod
	tagStart
	tagEnd
	tagFrom
	tagTo

	// SanctionsEntries
	tagSanctionsEntry
	tagEntryEvent
	tagDate
	tagSanctionsMeasure
)

func lookupTag(name []byte) tag {
	switch string(name) {
	case "Sanctions":
		return tagSanctions
	case "DateOfIssue":
		return tagDateOfIssue
	case "Year":
		return tagYear
	case "Month":
		return tagMonth
	case "Day":
		return tagDay
	case "ReferenceValueSets":
		return tagReferenceValueSets
	case "Locations":
		return tagLocations
	case "IDRegDocuments":
		return tagIDRegDocuments
	case "DistinctParties":
		return tagDistinctParties
	case "SanctionsEntries":
		return tagSanctionsEntries
	case "AliasType":
		return tagAliasType
	case "Country":
		return tagCountry
	case "FeatureType":
		return tagFeatureType
	case "IDRegDocType":
		return tagIDRegDocType
	case "List":
		return tagList
	case "PartySubType":
		return tagPartySubType
	case "PartyType":
		return tagPartyType
	case "Script":
		return tagScript
	case "Location":
		return tagLocation
	case "LocationCountry":
		return tagLocationCountry
	case "Value":
		return tagValue
	case "IDRegDocument":
		return tagIDRegDocument
	case "IDRegistrationNo":
		return tagIDRegistrationNo
	case "DistinctParty":
		return tagDistinctParty
	case "Comment":
		return tagComment
	case "Profile":
		return tagProfile
	case "Identity":
		return tagIdentity
	case "Alias":
		return tagAlias
	case "DocumentedName":
		return tagDocumentedName
	case "NamePartValue":
		return tagNamePartValue
	case "Feature":
		return tagFeature
	case "FeatureVersion":
		return tagFeatureVersion
	case "VersionDetail":
		return tagVersionDetail
	case "VersionLocation":
		return tagVersionLocation
	case "DatePeriod":
		return tagDatePeriod
	case "Start":
		return tagStart
	case "End":
		return tagEnd
	case "From":
		return tagFrom
	case "To":
		return tagTo
	case "SanctionsEntry":
		return tagSanctionsEntry
	case "EntryEvent":
		return tagEntryEvent
	case "Date":
		return tagDate
	case "SanctionsMeasure":
		return tagSanctionsMeasure
	}
	return tagOther
}
