package delivery

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the handler's Prometheus counters.
type metrics struct {
	requests *prometheus.CounterVec
	sent     *prometheus.CounterVec
	lookups  prometheus.Counter

	mu    sync.RWMutex
	cache map[kindStatus][2]prometheus.Counter // see counters
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "clipcut_media_requests_total",
			Help: "Media requests answered, by kind of object and status code.",
		}, []string{"kind", "code"}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "clipcut_media_sent_bytes_total",
			Help: "Bytes of media response bodies sent, by kind of object.",
		}, []string{"kind"}),
		lookups: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "clipcut_media_video_lookups_total",
			Help: "Privacy lookups of videos that missed the in-process cache.",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.sent, m.lookups} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *metrics) observe(k kind, status int, sent int64) {
	if status == 0 {
		status = http.StatusOK
	}
	reqs, bytes := m.counters(k, status)
	reqs.Inc()
	if sent > 0 {
		bytes.Add(float64(sent))
	}
}

// counters returns the request counter of a kind and status and the byte
// counter of the kind, looked up in the vectors once (hashing the labels
// on every request costs more than the rest of the accounting).
func (m *metrics) counters(k kind, status int) (reqs, bytes prometheus.Counter) {
	key := kindStatus{k, status}
	m.mu.RLock()
	c, ok := m.cache[key]
	m.mu.RUnlock()
	if !ok {
		c = [2]prometheus.Counter{m.requests.WithLabelValues(string(k), strconv.Itoa(status)), m.sent.WithLabelValues(string(k))}
		m.mu.Lock()
		if m.cache == nil {
			m.cache = make(map[kindStatus][2]prometheus.Counter)
		}
		m.cache[key] = c
		m.mu.Unlock()
	}
	return c[0], c[1]
}

type kindStatus struct {
	kind   kind
	status int
}
