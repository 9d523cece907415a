#!/bin/sh
# SPDX-License-Identifier: MIT
# App that ignores every signal the init forwards: only SIGKILL ends it (SIGCONT and SIGCHLD cannot
# be ignored in any way that matters, and are not).
# usage: stubborn.sh DIR
# Writes DIR/ready-<pid> once the signals are ignored; the dispositions survive the exec of sleep.
trap '' HUP INT QUIT ILL TRAP ABRT BUS FPE USR1 SEGV USR2 PIPE ALRM TERM 16 TSTP TTIN TTOU URG \
    XCPU XFSZ VTALRM PROF WINCH IO PWR SYS
touch "$1/ready-$$"
exec sleep 120
