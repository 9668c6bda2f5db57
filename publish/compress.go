package publish

import (
	"bytes"
	"context"
	"io"
	"strings"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
)

// Brotli settings trade reload time for size: quality 6 with a 256 KiB
// window compresses a feed within a few percent of the maximum at a small
// fraction of its cost, and small files (a talk's own calendar) gain
// little from more than quality 4 (bench: BenchmarkBuild).
var (
	brotliLarge = brotli.WriterOptions{Quality: 6, LGWin: 18}
	brotliSmall = brotli.WriterOptions{Quality: 4, LGWin: 16}
)

const smallFile = 16 << 10

// gzipLevel is klauspost/compress's level (see compressor).
const gzipLevel = 8

// minCompress is the size below which compressing does not pay.
const minCompress = 256

// compressor holds reusable encoders: a gzip writer alone allocates about
// a megabyte, which would dominate a reload of many small files. Gzip is
// klauspost/compress's at level 8: smaller than compress/gzip's default
// level and 1.6 times as fast (a 10,000-talk feed.rss: 815 KB in 80 ms,
// against 821 KB in 127 ms); its default level is faster still but 6%
// larger, and every byte is sent to every subscriber.
type compressor struct {
	gz           *gzip.Writer
	small, large *brotli.Writer
}

func newCompressor() *compressor {
	gz, _ := gzip.NewWriterLevel(nil, gzipLevel)
	return &compressor{
		gz:    gz,
		small: brotli.NewWriterOptions(nil, brotliSmall),
		large: brotli.NewWriterOptions(nil, brotliLarge),
	}
}

// compress fills in a file's gzip and brotli forms when its type is text
// and compression saves bytes. Both encoders are deterministic (gzip with
// a zero header time), so every replica serves the same bytes.
func (c *compressor) compress(f *File) { c.compressCtx(context.Background(), f) }

// compressCtx is compress, giving up between steps of a large file when
// ctx ends (the file is then left as it was) and reporting whether it
// finished: a reload that replaces a snapshot being compressed waits a
// step, not a whole 18 MB brotli pass.
func (c *compressor) compressCtx(ctx context.Context, f *File) bool {
	if !compressible(f.ContentType) || len(f.Body) < minCompress {
		return true
	}
	gz, ok := c.gzip(ctx, f.Body)
	if !ok {
		return false
	}
	bw := c.large
	if len(f.Body) < smallFile {
		bw = c.small
	}
	var br bytes.Buffer
	bw.Reset(&br)
	if !writeSteps(ctx, bw, f.Body) {
		return false
	}
	bw.Close()
	f.Gzip, f.joined = nil, false
	if len(gz) < len(f.Body) {
		f.Gzip = gz
	}
	if br.Len() < len(f.Body) {
		f.Brotli = br.Bytes()
	}
	return true
}

// gzip is body gzipped, unless ctx ends first.
func (c *compressor) gzip(ctx context.Context, body []byte) ([]byte, bool) {
	var gz bytes.Buffer
	c.gz.Reset(&gz)
	// No time, as RFC 1952 says when there is none: klauspost's writer
	// would write the zero time's seconds cut to 32 bits.
	c.gz.ModTime = time.Unix(0, 0)
	if !writeSteps(ctx, c.gz, body) {
		return nil, false
	}
	c.gz.Close()
	return gz.Bytes(), true
}

// gzipNowBelow is the size below which a view left for later gets its
// whole gzip form at once, in place of the quick one from pieces: a few
// milliseconds, for responses 1.7 times smaller while reloads come too
// often for the whole compression to start (74 talks reloaded every
// 200 ms). Brotli, several times as costly, still waits.
const gzipNowBelow = 1 << 20

// gzipNow gives a file its whole gzip form with a kept compressor.
func gzipNow(f *File) {
	c := compressors.Get().(*compressor)
	if gz, _ := c.gzip(context.Background(), f.Body); len(gz) < len(f.Body) {
		f.Gzip, f.joined = gz, false
	}
	compressors.Put(c)
}

// compressStep is how much is written between looks at the context.
const compressStep = 256 << 10

// writeSteps writes body in steps, stopping when ctx ends.
func writeSteps(ctx context.Context, w io.Writer, body []byte) bool {
	for len(body) > 0 {
		if ctx.Err() != nil {
			return false
		}
		n := min(len(body), compressStep)
		w.Write(body[:n])
		body = body[n:]
	}
	return true
}

func compressible(contentType string) bool {
	return strings.HasPrefix(contentType, "text/") || strings.Contains(contentType, "xml") || strings.Contains(contentType, "json")
}
