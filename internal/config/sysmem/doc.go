// Package sysmem reports the machine's physical memory, which sizes the
// caches and the garbage collector's limit of long-running commands.
package sysmem
