package archase

import "archase/internal/capi"

// storageHost is a host's Storage attached to an engine (storage.go).
type storageHost struct{}

func (s *storageHost) begin()            {}
func (s *storageHost) end(rc int) error  { return nil }
func (s *storageHost) release()          {}

// Storage is a host's own store (include/archase/sys/storage.h).
type Storage interface{}

func openStorage(st Storage, actor string, now int64) (capi.Archase_engine, *storageHost, error) {
	return nil, nil, errorf(codeUnsupported, "host storage")
}
