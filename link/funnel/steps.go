package funnel

import "github.com/plaidlink/plaidlink-go/link"

// stepDef is one rung of the funnel: the event that names it and the other events Link emits
// instead of it on another path through the same point of the flow.
type stepDef struct {
	name link.EventName
	via  []link.EventName
}

// stepDefs are the funnel's steps in Link's order; see the package documentation for why these.
var stepDefs = []stepDef{
	{name: link.EventNameOpen},
	{name: link.EventNameSearchInstitution},
	{name: link.EventNameSelectInstitution, via: []link.EventName{
		link.EventNameMatchedSelectInstitution,
		link.EventNameSelectDegradedInstitution,
		link.EventNameSelectDownInstitution,
		link.EventNameSelectFilteredInstitution,
	}},
	{name: link.EventNameSubmitCredentials, via: []link.EventName{
		link.EventNameOpenOAuth,
		link.EventNameSubmitRoutingNumber,
		link.EventNameSubmitAccountNumber,
	}},
	{name: link.EventNameSubmitMFA},
	{name: link.EventNameHandoff},
}

// knownEvents are the event names Plaid documents, each with its own bit in a session's event
// set; any other name shares otherBit. Plaid adds names without notice, and a bit per name seen
// would make which names get a bit depend on arrival order.
var knownEvents = []link.EventName{
	link.EventNameOpen,
	link.EventNameTransitionView,
	link.EventNameSkipSubmitPhone,
	link.EventNameSubmitPhone,
	link.EventNameVerifyPhone,
	link.EventNameSubmitOTP,
	link.EventNameSearchInstitution,
	link.EventNameSelectBrand,
	link.EventNameMatchedSelectInstitution,
	link.EventNameMatchedSelectVerifyMethod,
	link.EventNameSelectInstitution,
	link.EventNameSelectDegradedInstitution,
	link.EventNameSelectDownInstitution,
	link.EventNameSelectFilteredInstitution,
	link.EventNameSelectAuthType,
	link.EventNameOpenOAuth,
	link.EventNameCloseOAuth,
	link.EventNameFailOAuth,
	link.EventNameSubmitRoutingNumber,
	link.EventNameSubmitAccountNumber,
	link.EventNameSubmitCredentials,
	link.EventNameSubmitMFA,
	link.EventNameSubmitDocuments,
	link.EventNameSubmitDocumentsSuccess,
	link.EventNameSubmitDocumentsError,
	link.EventNameBankIncomeInsightsCompleted,
	link.EventNameIdentityVerificationStartStep,
	link.EventNameIdentityVerificationPassStep,
	link.EventNameIdentityVerificationFailStep,
	link.EventNameIdentityVerificationCloseUI,
	link.EventNameConnectNewInstitution,
	link.EventNameIssueFollowed,
	link.EventNameOpenMyPlaid,
	link.EventNameError,
	link.EventNameHandoff,
	link.EventNameExit,
}

// OtherEvents is the name under which [Report.Events] counts the sessions that emitted an event
// name Plaid does not document (yet).
const OtherEvents link.EventName = "OTHER"

const otherBit = 63

var (
	eventBits = func() map[link.EventName]uint8 {
		m := make(map[link.EventName]uint8, len(knownEvents))
		for i, n := range knownEvents {
			m[n] = uint8(i)
		}
		return m
	}()
	// stepMasks[i] has the bits of the events that put a session at step i.
	stepMasks = func() []uint64 {
		out := make([]uint64, len(stepDefs))
		for i, d := range stepDefs {
			out[i] = bitOf(d.name)
			for _, v := range d.via {
				out[i] |= bitOf(v)
			}
		}
		return out
	}()
	openBit    = bitOf(link.EventNameOpen)
	handoffBit = bitOf(link.EventNameHandoff)
	exitBit    = bitOf(link.EventNameExit)
)

// bitOf returns the bit of an event name in a session's event set.
func bitOf(name link.EventName) uint64 {
	if i, ok := eventBits[name]; ok {
		return 1 << i
	}
	return 1 << otherBit
}
