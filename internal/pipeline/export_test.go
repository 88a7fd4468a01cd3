package pipeline

// HoldSlot counts one more file of accountID running on queue in this
// process, as if a long file were being read, until the returned func is
// called.
func (s *Service) HoldSlot(queue, accountID string) func() {
	s.slots.mu.Lock()
	s.slots.running[slotKey(queue, accountID)]++
	s.slots.mu.Unlock()
	return func() { s.slots.put(slotKey(queue, accountID)) }
}
