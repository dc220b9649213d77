package delivery

import "os"

// WriteDurably writes b to a new 0600 temporary file in dir (named after
// pattern, as os.CreateTemp), fsyncs it, lets place move it into place by
// its name (a rename or a link, so no one sees a file half written), and
// fsyncs dir so the move survives a crash. The temporary name never stays.
// Both the outbox and the spool keep personal data this way.
func WriteDurably(dir, pattern string, b []byte, place func(tmp string) error) error {
	tmp, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a rename nothing is there; after a link, only this name goes
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := place(tmp.Name()); err != nil {
		return err
	}
	return SyncDir(dir)
}

// SyncDir makes a rename, link or delete in dir durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
