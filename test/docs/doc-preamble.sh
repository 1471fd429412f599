# Sourced before every fenced sh block of the docs by test/docs/doc-commands.test.ts.
# - `npx ecs-gitops` / `ecs-gitops` run the compiled CLI of the copy; a command that talks to AWS and
#   names no --sandbox, --endpoint or AWS_ENDPOINT_URL gets `--sandbox $DOC_SANDBOX`;
# - `ecs-gitops run` and `npm start` in the foreground run until /healthz answers, then get SIGTERM
#   (in the background, `&`, they run as written and the block stops them);
# - the commands that install or test this repository itself are not run again.
set -u
# Job control: a background job (`cmd &`) gets a process group of its own, so `kill %1` stops the job
# with its children, as in an interactive shell; whatever a block leaves running is stopped at its end.
set -m
trap 'for __job in $(jobs -p); do kill -- "-$__job" 2>/dev/null; done' EXIT

# Runs a long-running command (a job: its own process group, see set -m) until /healthz answers, then stops it.
__long_run() {
  "$@" &
  local pid=$! i
  for i in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"
      echo "doc-test: $* exited before /healthz answered" >&2
      return 98
    fi
    if curl -sf -o /dev/null "http://127.0.0.1:$ECS_GITOPS_PORT/healthz"; then
      kill -TERM -- "-$pid"
      wait "$pid"
      return $?
    fi
    sleep 0.5
  done
  kill -KILL -- "-$pid"
  echo "doc-test: $* did not answer /healthz within 60 s" >&2
  return 98
}

ecs-gitops() {
  local args=("$@") sub="" skip=0 a
  for a in "$@"; do
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    case "$a" in
      --log-level | --log-format) skip=1 ;;
      -*) ;;
      *) sub="$a"; break ;;
    esac
  done
  case "$sub" in
    diff | apply | destroy | export | adopt | run)
      case " $* " in
        *" --sandbox"* | *" --endpoint"* | *" --base"*) ;;
        *) [ -z "${AWS_ENDPOINT_URL:-}" ] && args+=(--sandbox "$DOC_SANDBOX") ;;
      esac
      ;;
  esac
  if [ "$sub" = run ] && [ "$BASHPID" = "$$" ]; then
    __long_run node "$DOC_WORK/bin/ecs-gitops.js" "${args[@]}"
  else
    node "$DOC_WORK/bin/ecs-gitops.js" "${args[@]}"
  fi
}

npx() {
  if [ "${1:-}" = ecs-gitops ]; then
    shift
    ecs-gitops "$@"
  else
    command npx "$@"
  fi
}

npm() {
  case "$*" in
    ci | install | test | "run test:fast" | "run test:moto" | "run lint" | "run format" | "run format:check" | "run bench"* | "run soak"*)
      echo "doc-test: not run inside the test: npm $*" >&2
      return 0
      ;;
    start)
      if [ "$BASHPID" != "$$" ]; then
        command npm start
        return
      fi
      # npm itself ends by the SIGTERM (128 + 15); the controller under it stops cleanly.
      __long_run command npm start
      local rc=$?
      [ "$rc" = 143 ] && rc=0
      return "$rc"
      ;;
    *) command npm "$@" ;;
  esac
}
