//go:build !linux

package pebble

// physicalMemory is unknown off Linux: the block cache takes its floor.
func physicalMemory() int64 { return 0 }
