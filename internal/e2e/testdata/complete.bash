# complete.bash SCRIPT LINE: complete LINE (ending in a space: a new word) with stsmfa's completion
# SCRIPT under bash-completion, as bash does on TAB, and print COMPREPLY, one candidate a line.
source /usr/share/bash-completion/bash_completion
source "$1"
line=$2
COMP_LINE=$line; COMP_POINT=${#line}; COMP_TYPE=9; COMP_KEY=9
read -ra COMP_WORDS <<<"$line"
[[ $line == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
__start_stsmfa stsmfa "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
printf '%s\n' "${COMPREPLY[@]}"
