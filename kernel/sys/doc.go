// Package sys mirrors the parts of NetBSD's kernel ABI that nbwg speaks:
// the ioctl command encoding of <sys/ioccom.h>, the interface requests of
// <net/if.h>, <netinet/in.h> and <netinet6/in6_var.h>, the wg(4)
// sub-commands of <net/if_wg.h>, and NetBSD's errno numbers and messages.
//
// Structures are kept in NetBSD/amd64 memory layout and converted to and
// from bytes explicitly (Marshal / Unmarshal*), because on Linux the bytes
// cross a process boundary to the emulated kernel exactly as they would
// cross the syscall boundary on NetBSD.  Pointers inside structures
// (ifd_data, ifcr_buffer, ifc_buf) cannot cross processes; the carrier
// sends the buffers they point at beside the structure.
package sys
