//go:build !linux

package main

// On NetBSD this ifconfig issues the real ioctls, so every interface the
// kernel has is fair game, as for sbin/ifconfig.
func (p *prog) checkName(name string) error { return p.checkNameLen(name) }
