package publish

import (
	"bytes"
	"compress/gzip"
	"strings"

	"github.com/andybalholm/brotli"
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

// compressor holds reusable encoders: a gzip writer alone allocates about
// a megabyte, which would dominate a reload of many small files.
type compressor struct {
	gz           *gzip.Writer
	small, large *brotli.Writer
}

func newCompressor() *compressor {
	gz, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return &compressor{
		gz:    gz,
		small: brotli.NewWriterOptions(nil, brotliSmall),
		large: brotli.NewWriterOptions(nil, brotliLarge),
	}
}

// compress fills in a file's gzip and brotli forms when its type is text
// and compression saves bytes. Both encoders are deterministic (gzip with
// a zero header time), so every replica serves the same bytes.
func (c *compressor) compress(f *File) {
	if !compressible(f.ContentType) || len(f.Body) < 256 {
		return
	}
	var gz bytes.Buffer
	c.gz.Reset(&gz)
	c.gz.Write(f.Body)
	c.gz.Close()
	if gz.Len() < len(f.Body) {
		f.Gzip = gz.Bytes()
	}
	bw := c.large
	if len(f.Body) < smallFile {
		bw = c.small
	}
	var br bytes.Buffer
	bw.Reset(&br)
	bw.Write(f.Body)
	bw.Close()
	if br.Len() < len(f.Body) {
		f.Brotli = br.Bytes()
	}
}

func compressible(contentType string) bool {
	return strings.HasPrefix(contentType, "text/") || strings.Contains(contentType, "xml") || strings.Contains(contentType, "json")
}
