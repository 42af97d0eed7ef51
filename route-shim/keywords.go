package main

// route's keywords (sbin/route/keywords, keywords.c), commands and
// modifiers alike: keyword() matches a word exactly, and a modifier is a
// keyword after a '-'.  The list is NetBSD 8's (route.c 1.155.4.2 and
// show.c 1.48 read each of these); words NetBSD's list still holds but
// nothing reads any more (cloning, xresolve, iso, x25, ...) are left out,
// since route answers them as it answers a word it does not know: with
// "botched keyword".

const (
	kNONE = iota
	kADD
	kATALK
	kBLACKHOLE
	kCHANGE
	kCONNECTED
	kDELETE
	kDST
	kEXPIRE
	kFLUSH
	kFLUSHALL
	kGATEWAY
	kGENMASK
	kGET
	kHOST
	kHOPCOUNT
	kIFACE
	kINTERFACE
	kIFA
	kIFP
	kINET
	kINET6
	kLINK
	kLLINFO
	kLOCK
	kLOCKREST
	kMONITOR
	kMPLS
	kMTU
	kNET
	kNETMASK
	kNOBLACKHOLE
	kNOCONNECTED
	kNOREJECT
	kNOSTATIC
	kPREFIXLEN
	kPROTO1
	kPROTO2
	kPROXY
	kRECVPIPE
	kREJECT
	kRTT
	kRTTVAR
	kSA
	kSENDPIPE
	kSHOW
	kSSTHRESH
	kSTATIC
	kTAG
)

// keywords is keywords.c's table.
var keywords = []struct {
	word string
	key  int
}{
	{"add", kADD},
	{"atalk", kATALK},
	{"blackhole", kBLACKHOLE},
	{"change", kCHANGE},
	{"connected", kCONNECTED},
	{"delete", kDELETE},
	{"dst", kDST},
	{"expire", kEXPIRE},
	{"flush", kFLUSH},
	{"flushall", kFLUSHALL},
	{"gateway", kGATEWAY},
	{"genmask", kGENMASK},
	{"get", kGET},
	{"host", kHOST},
	{"hopcount", kHOPCOUNT},
	{"iface", kIFACE},
	{"interface", kINTERFACE},
	{"ifa", kIFA},
	{"ifp", kIFP},
	{"inet", kINET},
	{"inet6", kINET6},
	{"link", kLINK},
	{"llinfo", kLLINFO},
	{"lock", kLOCK},
	{"lockrest", kLOCKREST},
	{"monitor", kMONITOR},
	{"mpls", kMPLS},
	{"mtu", kMTU},
	{"net", kNET},
	{"netmask", kNETMASK},
	{"noblackhole", kNOBLACKHOLE},
	{"noconnected", kNOCONNECTED},
	{"noreject", kNOREJECT},
	{"nostatic", kNOSTATIC},
	{"prefixlen", kPREFIXLEN},
	{"proto1", kPROTO1},
	{"proto2", kPROTO2},
	{"proxy", kPROXY},
	{"recvpipe", kRECVPIPE},
	{"reject", kREJECT},
	{"rtt", kRTT},
	{"rttvar", kRTTVAR},
	{"sa", kSA},
	{"sendpipe", kSENDPIPE},
	{"show", kSHOW},
	{"ssthresh", kSSTHRESH},
	{"static", kSTATIC},
	{"tag", kTAG},
}

// keyword is route.c's keyword(): the key of a word, kNONE if none.
func keyword(w string) int {
	for _, k := range keywords {
		if k.word == w {
			return k.key
		}
	}
	return kNONE
}

// commands are the keywords main() acts on as the first operand.
var commands = []string{"add", "change", "delete", "flush", "flushall", "get", "monitor", "show"}
