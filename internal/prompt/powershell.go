package prompt

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"
)

// powershell is the Windows dialog: a small Windows Forms window run by Windows PowerShell
// (powershell.exe, on every Windows since 7). The script is fixed text, passed with -EncodedCommand
// (base64 of UTF-16LE, PowerShell's own way to take a script without any quoting by cmd.exe or the
// C runtime); the title, question, timeout and items reach it in environment variables, so nothing a
// profile name contains can change the script. Nothing secret is in argv or the environment: the code
// comes back on stdout.
//
// The script prints one line: "code:TYPED", "choice:N" (1-based, "choice:" when none is picked),
// "timeout" or "cancel".
type powershell struct{}

// Environment variables that carry the dialog's text to the script.
const (
	psTitle   = "STSMFA_DIALOG_TITLE"
	psText    = "STSMFA_DIALOG_TEXT"
	psTimeout = "STSMFA_DIALOG_TIMEOUT" // seconds
	psItems   = "STSMFA_DIALOG_ITEMS"   // one per line
)

// psPrelude builds the window: the question, then (added by each script) the input, then OK and
// Cancel; Enter is OK, Escape is Cancel; a timer closes it after STSMFA_DIALOG_TIMEOUT seconds.
const psPrelude = `$ErrorActionPreference = 'Stop'
Add-Type -AssemblyName System.Windows.Forms
Add-Type -AssemblyName System.Drawing
[System.Windows.Forms.Application]::EnableVisualStyles()
$state = @{ timedOut = $false }
$form = New-Object System.Windows.Forms.Form
$form.Text = $env:STSMFA_DIALOG_TITLE
$form.FormBorderStyle = 'FixedDialog'
$form.StartPosition = 'CenterScreen'
$form.TopMost = $true
$form.MinimizeBox = $false
$form.MaximizeBox = $false
$form.AutoSize = $true
$form.AutoSizeMode = 'GrowAndShrink'
$form.Padding = New-Object System.Windows.Forms.Padding(12)
$panel = New-Object System.Windows.Forms.FlowLayoutPanel
$panel.FlowDirection = 'TopDown'
$panel.AutoSize = $true
$panel.AutoSizeMode = 'GrowAndShrink'
$label = New-Object System.Windows.Forms.Label
$label.Text = $env:STSMFA_DIALOG_TEXT
$label.AutoSize = $true
$label.MaximumSize = New-Object System.Drawing.Size(480, 0)
$panel.Controls.Add($label)
`

// psButtons adds OK and Cancel and shows the window until an answer or the timeout.
const psButtons = `$buttons = New-Object System.Windows.Forms.FlowLayoutPanel
$buttons.AutoSize = $true
$ok = New-Object System.Windows.Forms.Button
$ok.Text = 'OK'
$ok.DialogResult = [System.Windows.Forms.DialogResult]::OK
$cancel = New-Object System.Windows.Forms.Button
$cancel.Text = 'Cancel'
$cancel.DialogResult = [System.Windows.Forms.DialogResult]::Cancel
$buttons.Controls.Add($ok)
$buttons.Controls.Add($cancel)
$panel.Controls.Add($buttons)
$form.Controls.Add($panel)
$form.AcceptButton = $ok
$form.CancelButton = $cancel
$timer = New-Object System.Windows.Forms.Timer
$timer.Interval = 1000 * [int]$env:STSMFA_DIALOG_TIMEOUT
$timer.Add_Tick({ $state.timedOut = $true; $form.Close() })
$form.Add_Shown({ $form.Activate(); $null = $field.Focus() })
$timer.Start()
$result = $form.ShowDialog()
$timer.Stop()
if ($state.timedOut) { [Console]::Out.WriteLine('timeout'); exit 0 }
if ($result -ne [System.Windows.Forms.DialogResult]::OK) { [Console]::Out.WriteLine('cancel'); exit 0 }
`

// psEntryScript asks for a hidden line.
const psEntryScript = psPrelude + `$field = New-Object System.Windows.Forms.TextBox
$field.UseSystemPasswordChar = $true
$field.Width = 300
$panel.Controls.Add($field)
` + psButtons + `[Console]::Out.WriteLine('code:' + $field.Text)
`

// psListScript asks to pick one of the lines of STSMFA_DIALOG_ITEMS (the first is picked already).
const psListScript = psPrelude + `$field = New-Object System.Windows.Forms.ListBox
$field.Width = 460
foreach ($item in ($env:STSMFA_DIALOG_ITEMS -split "` + "`" + `n")) { $null = $field.Items.Add($item) }
$field.Height = [Math]::Min(12, $field.Items.Count + 1) * $field.ItemHeight
$field.SelectedIndex = 0
$field.Add_DoubleClick({ $form.DialogResult = [System.Windows.Forms.DialogResult]::OK })
$panel.Controls.Add($field)
` + psButtons + `if ($field.SelectedIndex -lt 0) { [Console]::Out.WriteLine('choice:') } else { [Console]::Out.WriteLine('choice:' + ($field.SelectedIndex + 1)) }
`

// encodeCommand is a script as -EncodedCommand takes it: base64 of its UTF-16LE bytes.
func encodeCommand(script string) string {
	units := utf16.Encode([]rune(script))
	b := make([]byte, 2*len(units))
	for i, u := range units {
		binary.LittleEndian.PutUint16(b[2*i:], u)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func psArgs(prog, script string) []string {
	return []string{prog, "-NoLogo", "-NoProfile", "-NonInteractive", "-Sta", "-EncodedCommand", encodeCommand(script)}
}

func (powershell) entry(prog, title, text string, timeout time.Duration) cmdline {
	return cmdline{
		args: psArgs(prog, psEntryScript),
		env:  []string{psTitle + "=" + title, psText + "=" + text, fmt.Sprintf("%s=%d", psTimeout, seconds(timeout))},
	}
}

func (powershell) entryAnswer(r result) (string, error) {
	line, err := psAnswer(r)
	if err != nil {
		return "", err
	}
	code, ok := strings.CutPrefix(line, "code:")
	if !ok {
		return "", fmt.Errorf("the PowerShell dialog answered something other than a code")
	}
	return strings.TrimSpace(code), nil
}

func (powershell) list(prog, title, text string, items []string, timeout time.Duration) cmdline {
	return cmdline{
		args: psArgs(prog, psListScript),
		env: []string{psTitle + "=" + title, psText + "=" + text, fmt.Sprintf("%s=%d", psTimeout, seconds(timeout)),
			psItems + "=" + strings.Join(items, "\n")},
	}
}

func (powershell) listAnswer(r result, n int) (int, error) {
	line, err := psAnswer(r)
	if err != nil {
		return 0, err
	}
	picked, ok := strings.CutPrefix(line, "choice:")
	if !ok {
		return 0, fmt.Errorf("the PowerShell dialog answered %q, not a choice", line)
	}
	return pickedIndex(picked, n)
}

// psAnswer is the script's line, or the error its exit, "timeout" or "cancel" stand for.
func psAnswer(r result) (string, error) {
	if r.exit != 0 {
		return "", failed("the PowerShell dialog", r)
	}
	switch line := answerLine(r.stdout); line {
	case "timeout":
		return "", ErrTimeout
	case "cancel":
		return "", ErrCancelled
	default:
		return line, nil
	}
}
