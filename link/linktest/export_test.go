package linktest

// Counts reports how many link tokens, public tokens, Items and Hosted Link pages s holds, for
// tests of its bounds.
func Counts(s *Server) (linkTokens, publicTokens, items, hosted int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nowLocked()
	return s.linkTokens.len(), s.publicTokens.len(), s.items.len(), len(s.hosted)
}

// SetLimits lowers s's store bounds so tests can reach them quickly.
func SetLimits(s *Server, linkTokens, publicTokens, items int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.linkTokens.max = linkTokens
	s.publicTokens.max = publicTokens
	s.items.max = items
}
