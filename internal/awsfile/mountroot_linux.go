package awsfile

import "golang.org/x/sys/unix"

// isMountRoot reports whether the file at path is a mount point of its own (a bind mount of a
// single file): statx's STATX_ATTR_MOUNT_ROOT (Linux 5.8; on older kernels false, and the rename's
// EBUSY still leads to an in-place write).
func isMountRoot(path string) bool {
	var stx unix.Statx_t
	if err := unix.Statx(unix.AT_FDCWD, path, unix.AT_STATX_DONT_SYNC, unix.STATX_TYPE, &stx); err != nil {
		return false
	}
	return stx.Attributes_mask&unix.STATX_ATTR_MOUNT_ROOT != 0 && stx.Attributes&unix.STATX_ATTR_MOUNT_ROOT != 0
}
