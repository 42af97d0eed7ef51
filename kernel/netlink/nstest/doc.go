// Package nstest gives a test a private Linux network namespace, so tests
// that create TUN devices, addresses and sockets never touch the host's
// network. It is for tests only.
//
// [New] is for integration tests: it skips the test under -short (unit
// tests only); when not running as root or when "ip netns" is not usable
// it fails the test as root or in CI and skips it elsewhere, as
// internal/hosts decides for every package; it removes the namespace (killing any process left in it) in
// t.Cleanup, also when the test fails. Code runs inside the namespace either
// on the test goroutine itself ([Namespace.Enter]) or on a throw-away OS
// thread ([Namespace.Do]); a socket or TUN file descriptor belongs to the
// namespace it was created in and can then be used from any goroutine.
//
// On systems other than Linux New always skips.
package nstest
