package awsfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Files that are not regular files. A FIFO opened for reading blocks until someone writes to it, a
// socket cannot be opened, a directory or a device cannot be replaced by a rename without destroying
// it. awsfile opens every file it reads without blocking (O_NONBLOCK on Unix) and looks at what it
// opened (fstat) before reading a byte: anything but a regular file is refused at once with one
// line, except the null device (AWS_CONFIG_FILE=/dev/null, a common way to ignore a file in
// containers and CI), which reads as an empty file that is never written.

// NotRegularError: the file at Path is a FIFO, socket, directory or device, not a regular file.
type NotRegularError struct {
	Path string
	What string // "a named pipe (FIFO)", "a socket", "a directory", "a device", ...
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file; stsmfa reads and writes only regular files: put a regular file there or point the variable that names it elsewhere", e.Path, e.What)
}

// errNullDevice is the refusal to write the null device.
func nullDeviceErr(path string) error {
	return fmt.Errorf("%s is the null device, read as an empty file and never written", path)
}

// what names a non-regular file's type for messages.
func what(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	default:
		return "not a regular file"
	}
}

// checkRegular is nil for a regular file, nullDevice for the null device, else a *NotRegularError.
func checkRegular(path string, fi fs.FileInfo) (nullDevice bool, err error) {
	if fi.Mode().IsRegular() {
		return false, nil
	}
	if isNullDevice(fi) {
		return true, nil
	}
	return false, &NotRegularError{Path: path, What: what(fi.Mode())}
}

// openRegular opens path for reading without blocking and returns it with its FileInfo when it is a
// regular file. For the null device it returns a nil *os.File and null = true; for anything else
// that is not a regular file, a *NotRegularError. A missing file is fs.ErrNotExist.
func openRegular(path string) (f *os.File, fi fs.FileInfo, null bool, err error) {
	f, err = openNoBlock(path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) { // e.g. ENXIO for a socket: say what it is
			if st, serr := os.Stat(path); serr == nil && !st.Mode().IsRegular() {
				if null, nerr := checkRegular(path, st); nerr != nil || null {
					return nil, st, null, nerr
				}
			}
		}
		return nil, nil, false, err
	}
	if fi, err = f.Stat(); err != nil {
		f.Close()
		return nil, nil, false, err
	}
	if null, err = checkRegular(path, fi); err != nil || null {
		f.Close()
		return nil, fi, null, err
	}
	return f, fi, false, nil
}

// readRegular reads a whole regular file (see openRegular): the null device reads as empty.
func readRegular(path string) (data []byte, fi fs.FileInfo, null bool, err error) {
	f, fi, null, err := openRegular(path)
	if err != nil || null {
		return nil, fi, null, err
	}
	defer f.Close()
	data = make([]byte, 0, fi.Size()+512)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, fi, false, nil
		}
		if err != nil {
			return nil, nil, false, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}

// ReadRegular reads a whole file that must be a regular file: a FIFO, socket, directory or device is
// refused at once (*NotRegularError) instead of blocking; the null device reads as empty. For files
// other programs own (the AWS CLI's cache entries) as well as stsmfa's own.
func ReadRegular(path string) ([]byte, error) {
	data, _, _, err := readRegular(path)
	return data, err
}
