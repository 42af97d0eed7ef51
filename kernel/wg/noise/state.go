package noise

import "fmt"

// HandshakeState is where a Remote's handshake stands. The transitions,
// all in this package:
//
//	initiator: Zeroed → InitiationCreated  (CreateInitiation)
//	           InitiationCreated → ResponseConsumed  (ConsumeResponse)
//	responder: any → InitiationConsumed  (Local.ConsumeInitiation)
//	           InitiationConsumed → ResponseCreated  (CreateResponse)
//	both:      ResponseConsumed or ResponseCreated → Zeroed  (BeginSession)
//	           any → Zeroed  (Remote.Clear)
//
// CreateInitiation may also start over from any state: a new initiation
// abandons whatever handshake was in progress, as does a newly consumed
// initiation.
type HandshakeState uint8

// The handshake states.
const (
	HandshakeZeroed HandshakeState = iota
	HandshakeInitiationCreated
	HandshakeInitiationConsumed
	HandshakeResponseCreated
	HandshakeResponseConsumed
)

// String names the state.
func (s HandshakeState) String() string {
	switch s {
	case HandshakeZeroed:
		return "zeroed"
	case HandshakeInitiationCreated:
		return "initiation-created"
	case HandshakeInitiationConsumed:
		return "initiation-consumed"
	case HandshakeResponseCreated:
		return "response-created"
	case HandshakeResponseConsumed:
		return "response-consumed"
	}
	return fmt.Sprintf("HandshakeState(%d)", uint8(s))
}

// ownsIndex reports whether a handshake in state s holds a local index
// obtained from Upcall.NewIndex, which must be dropped when the handshake
// is abandoned. A consumed initiation has none yet: the responder takes
// its index when it creates the response.
func (s HandshakeState) ownsIndex() bool {
	switch s {
	case HandshakeZeroed, HandshakeInitiationConsumed:
		return false
	case HandshakeInitiationCreated, HandshakeResponseCreated, HandshakeResponseConsumed:
		return true
	}
	panic(fmt.Sprintf("noise: impossible handshake state %d", uint8(s)))
}
