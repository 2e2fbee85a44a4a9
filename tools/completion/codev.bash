# bash completion for codev; installed as share/bash-completion/completions/codev.
# Commands and options mirror `codev --help-all` (tests/test_cli.cpp checks they agree).

_codev() {
  local cur prev command i
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  local commands="run validate inspect experiment calibrate compare export report"
  command=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "${COMP_WORDS[i]}" in
      -*) ;;
      *) command="${COMP_WORDS[i]}"; break ;;
    esac
  done
  if [[ -z "$command" ]]; then
    if [[ "$cur" == -* ]]; then
      COMPREPLY=($(compgen -W "--help --help-all --version" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    fi
    return
  fi

  local options files="" folder=""
  case "$command" in
    run) options="--output --threads --seed --set --profile --checkpoint-every --resume --save-state --initial-state --help --help-all"; files='@(yaml|yml)' ;;
    validate) options="--set --help --help-all"; files='@(yaml|yml)' ;;
    inspect) options="--help --help-all"; files='h5' ;;
    experiment) options="--output --threads --resume --help --help-all"; files='@(yaml|yml)' ;;
    calibrate) options="--output --threads --resume --help --help-all"; files='@(yaml|yml)' ;;
    compare) options="--csv --by --threshold --help --help-all"; files='h5' ;;
    export) options="--group --output --wide --help --help-all"; files='h5' ;;
    report) options="--output --help --help-all"; files='h5' ;;
    *) return ;;
  esac
  case "$prev" in
    --by)
      COMPREPLY=($(compgen -W "decile" -- "$cur"))
      return ;;
    --threshold)
      return ;;
    -o | --output)
      if [[ "$command" == export ]]; then
        COMPREPLY=($(compgen -d -- "$cur"))
      elif [[ "$command" == report ]]; then
        _filedir html 2>/dev/null || COMPREPLY=($(compgen -f -- "$cur"))
      else
        _filedir h5 2>/dev/null || COMPREPLY=($(compgen -f -- "$cur"))
      fi
      return ;;
    --save-state | --initial-state)
      _filedir state 2>/dev/null || COMPREPLY=($(compgen -f -- "$cur"))
      return ;;
    --threads | --seed | --set | --checkpoint-every) return ;;
    --group)
      COMPREPLY=($(compgen -W "monthly annual region pairings households summary/annual summary/region sweep sobol" -- "$cur"))
      return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
  else
    _filedir "$files" 2>/dev/null || COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _codev codev
