#!/bin/sh
# SPDX-License-Identifier: MIT
# App that ignores every signal the init forwards by default: only SIGKILL ends it.
# usage: stubborn.sh DIR
# Writes DIR/ready-<pid> once the signals are ignored; the dispositions survive the exec of sleep.
trap '' HUP INT QUIT USR1 USR2 PIPE ALRM TERM WINCH TTIN TTOU
touch "$1/ready-$$"
exec sleep 120
