// Package wine holds stsmfa's Windows test lane: its tests build stsmfa for windows/amd64 and run it
// under Wine, in a throwaway WINEPREFIX, against the stand-in STS on 127.0.0.1, with Wine's own
// cmd.exe running the batch files and recipes docs/windows.md gives. They need Debian's wine, wine64 and
// gcc-mingw-w64-x86-64-win32 (.ci/run installs them); without them they skip, and under CI=true they
// fail. What Wine cannot show is listed in docs/windows.md.
package wine
