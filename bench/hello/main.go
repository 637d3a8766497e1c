// Command hello is the floor bench/run.sh measures stsmfa against: a Go hello-world, built static
// (CGO_ENABLED=0 -trimpath) exactly as stsmfa is, and timed in the same run.
package main

import "fmt"

func main() { fmt.Println("hello, world") }
