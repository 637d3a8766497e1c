//go:build !linux

package awsfile

import "os"

// readWhole reads a whole file (the Linux version reads large files into huge pages).
func readWhole(path string) (data, spare []byte, err error) {
	data, err = os.ReadFile(path)
	return data, nil, err
}
