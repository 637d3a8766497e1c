package awsfile

import (
	"io"
	"syscall"
)

// hugeMin is the file size from which readWhole reads into a transparent huge page.
const hugeMin = 256 << 10

// readWhole reads a whole file. A large one (a credentials file with thousands of profiles) is read
// into anonymous memory that asks the kernel for transparent huge pages (madvise MADV_HUGEPAGE): a new
// process would otherwise take a page fault for every 4 KiB of it, which on this kind of VM cost more
// than reading and scanning the bytes (docs/benchmarks.md). spare is the rest of that memory, zeroed,
// for scan's tables. The memory is never unmapped: strings read from the file may point into it for as
// long as the process runs (stsmfa's processes are short; a long-running user of awsfile reading large
// files many times would keep every copy).
func readWhole(path string) (data, spare []byte, err error) {
	f, st, null, err := openRegular(path) // a FIFO or a device is refused at once, never read
	if err != nil || null {
		return nil, nil, err
	}
	defer f.Close()
	if st.Size() < hugeMin || st.Size() > 1<<30 {
		data, err := io.ReadAll(f)
		return data, nil, err
	}
	n := int(st.Size())
	const huge = 2 << 20
	size := (n + n/2 + 4096 + huge - 1) &^ (huge - 1) // the file, and room for scan's tables
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		data, err := io.ReadAll(f)
		return data, nil, err
	}
	_ = syscall.Madvise(mem, 14) // MADV_HUGEPAGE; without it (or when refused) the memory is ordinary
	// read up to one byte more than the size seen: a file that grew meanwhile is read by io.ReadAll
	got := 0
	for got <= n {
		m, err := f.Read(mem[got : n+1])
		got += m
		if err == io.EOF || m == 0 {
			break
		}
		if err != nil {
			syscall.Munmap(mem)
			return nil, nil, err
		}
	}
	if got > n { // the file grew since Stat: read the rest, into ordinary memory
		rest, err := io.ReadAll(f)
		data := append(append([]byte(nil), mem[:got]...), rest...)
		syscall.Munmap(mem)
		return data, nil, err
	}
	spare = mem[(got+7)&^7:]
	return mem[:got:got], spare, nil
}
