package deliver_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/interdict/interdict/internal/action/deliver"
	"github.com/interdict/interdict/internal/store/sqlite"
)

func TestSealedSecrets(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	sealer, err := deliver.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "state.db")
	raw, err := sqlite.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = raw.Close() }) // the store open at the end
	st := sealer.Wrap(raw)

	rc := newReceiver(t, func(int, *http.Request) int { return http.StatusOK })
	srv := httptest.NewServer(rc)
	defer srv.Close()
	if err := st.AddEndpoint(t.Context(), deliver.Endpoint{ID: "b", URL: srv.URL, Secret: secret}); err != nil {
		t.Fatal(err)
	}

	t.Run("the database holds no secret in clear", func(t *testing.T) {
		eps, err := raw.Endpoints(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if eps[0].Secret == secret || bytes.Contains([]byte(eps[0].Secret), []byte("test-secret")) {
			t.Errorf("stored secret %q", eps[0].Secret)
		}
		if err := raw.Close(); err != nil { // flush the WAL into the file
			t.Fatal(err)
		}
		file, _ := os.ReadFile(path)
		if bytes.Contains(file, []byte(secret)) {
			t.Error("the database file holds the secret")
		}
		if raw, err = sqlite.Open(t.Context(), path, nil); err != nil {
			t.Fatal(err)
		}
		st = sealer.Wrap(raw)
	})

	t.Run("the dispatcher signs with the opened secret", func(t *testing.T) {
		src := &alerts{}
		src.add("", 2)
		d := deliver.NewDispatcher(fastConfig(), st, src, nil, nil)
		f := &fixture{store: raw, src: src}
		until(t, d, "delivered", func() bool { return len(f.deliveries(t, deliver.StateDelivered)) == 2 })
		if rc.unique() != 2 {
			t.Errorf("receiver verified %d deliveries, want 2", rc.unique())
		}
	})

	t.Run("another key cannot open the secrets", func(t *testing.T) {
		other, _ := deliver.NewSealer(bytes.Repeat([]byte{8}, 32))
		if _, err := other.Wrap(raw).Endpoints(t.Context()); !errors.Is(err, deliver.ErrSealed) {
			t.Errorf("Endpoints with another key = %v, want ErrSealed", err)
		}
	})

	t.Run("a key of the wrong size is refused", func(t *testing.T) {
		if _, err := deliver.NewSealer(key[:16]); !errors.Is(err, deliver.ErrInvalid) {
			t.Errorf("NewSealer(16 bytes) = %v", err)
		}
	})
}
