package source

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/internal/testcorpus"
)

func TestRepairMojibake(t *testing.T) {
	tests := []struct {
		in, want string
		lines    []int
	}{
		{"KafkaÂ® Meetup", "Kafka® Meetup", []int{1}},
		{"ok\ndonâ€™t â€œquoteâ€\u009d", "ok\ndon’t “quote”", []int{2}},
		{"Ã©tÃ© in Ã…rhus", "été in Århus", []int{1}},
		{"Emoji ðŸ˜\u0081", "Emoji 😁", []int{1}},
		{"twice: KafkaÃ‚Â®", "twice: Kafka®", []int{1}},
		// Real text is never touched.
		{"Jörg Schad, Grüße aus München, ©2018, 50°C, naïve café", "Jörg Schad, Grüße aus München, ©2018, 50°C, naïve café", nil},
		{"東京のエッジ and Zoë", "東京のエッジ and Zoë", nil},
		{"plain ASCII", "plain ASCII", nil},
	}
	for _, tc := range tests {
		got, lines := repairMojibake(tc.in)
		if got != tc.want || !slices.Equal(lines, tc.lines) {
			t.Errorf("repairMojibake(%q) = %q %v, want %q %v", tc.in, got, lines, tc.want, tc.lines)
		}
	}
}

// The corpus page was really damaged in transit; the repair names file and
// line and the event gets the right text.
func TestMojibakeCorpusPage(t *testing.T) {
	dir := testcorpus.Dir(t, "mojibake")
	data, err := os.ReadFile(filepath.Join(dir, "2018-03-28_Manchester_Kafka_Meetup.md"))
	if err != nil {
		t.Fatal(err)
	}
	p := newTestParser(t, Options{})
	r := p.parse("2018-03-28_Manchester_Kafka_Meetup.md", data, time.Time{})
	ev := mustEvent(t, r)
	if ev.EventName != "Manchester Apache Kafka® Meetup by Confluent" {
		t.Errorf("event name %q", ev.EventName)
	}
	if len(r.diags) != 1 {
		t.Fatalf("diagnostics %v", r.diags)
	}
	d := r.diags[0]
	if d.Severity != talkfeed.SeverityWarning || d.Line != 8 || !strings.Contains(d.Message, `"KafkaÂ®" read as "Kafka®"`) {
		t.Errorf("diagnostic %s", d)
	}
	if strings.Contains(ev.BodyHTML, "Â") || strings.Contains(ev.Title, "Â") {
		t.Error("mojibake left in the event")
	}
}
