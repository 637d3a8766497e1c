# cap.zsh FPATHDIR LINE: complete LINE in an interactive zsh (zpty) with compinit, print each candidate
zmodload zsh/zpty || exit 3
zpty z zsh -f -i
zpty -w z "PROMPT=''; fpath=($1 \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z 'compadd () { local -a __hits; builtin compadd -O __hits "$@"; (( $#__hits )) && print -rl -- "<h""it>"${^__hits} >&2; builtin compadd "$@" }'
zpty -w z 'finish () { print -r -- "<do""ne>" >&2; exit }; comppostfuncs=( finish ); bindkey "^I" complete-word'
zpty -w z "$2"$'\t'
out='' 
integer i
for (( i = 0; i < 400; i++ )); do
  if zpty -r -t z chunk 2>/dev/null; then
    out+=$chunk
    [[ $out == *'<done>'* ]] && break
  else
    sleep 0.05
  fi
done
[[ $out == *'<done>'* ]] || { print -r -- "no completion finished: $out" >&2; exit 4 }
print -rl -- ${${(M)${(f)out//$'\r'/}:#\<hit\>*}#\<hit\>}
