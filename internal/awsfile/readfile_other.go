//go:build !linux

package awsfile

// readWhole reads a whole file (the Linux version reads large files into huge pages).
func readWhole(path string) (data, spare []byte, err error) {
	data, _, _, err = readRegular(path)
	return data, nil, err
}
