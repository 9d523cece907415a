// main.s: _start, the init as a list of steps; the one assembled unit, it includes every other file.
// SPDX-License-Identifier: MIT
//
// Owns: _start and the text of the start event. Build (from the repository root):
//   aarch64-linux-gnu-as -I init/arm64 -I build/arm64/gen init/arm64/main.s -o build/arm64/main.o
//   aarch64-linux-gnu-ld -static -s --build-id=none -z noexecstack -z noseparate-code \
//       build/arm64/main.o -o build/arm64/mini-init

    .include "abi.inc"

    .text
    .global _start

// _start: entry point from the kernel; runs the init's steps in order.
//   in:       sp -> argc, argv[0..argc-1], 0, environment[...], 0 (sp 16-byte aligned)
//   out:      command_argv, environment, self_pid, is_pid1 and everything the steps set
//   clobbers: everything
//   returns:  never (event_loop ends in exit_group)
_start:
    ldr x0, [sp]                            // argc
    add x1, sp, #REGISTER_BYTES             // argv
    adr x2, command_argv
    str x1, [x2]                            // the whole argv until parse_args skips the options
    add x0, x0, #1
    add x1, x1, x0, lsl #POINTER_SHIFT      // environment = argv + (argc + 1) * 8
    adr x2, environment
    str x1, [x2]
    bl parse_args

    SYSCALL SYS_getpid                      // cannot fail
    adr x1, self_pid
    str x0, [x1]
    cmp x0, #1
    cset x0, eq
    adr x1, is_pid1
    str x0, [x1]                            // is_pid1 = (self_pid == 1)

    bl read_config
    bl parse_forward_signals
    bl setup_signals
    bl setup_reaper

    adr x0, text_start                      // log_event("start version=<v>", " pid=", self_pid)
    adr x1, key_pid
    ldr x2, self_pid
    mov x3, #0
    bl log_event

    bl spawn
    bl event_loop                           // never returns

    .section .rodata
text_start:     .ascii "start version="
                VERSION_STRING
                .byte 0

    .include "args.inc"
    .include "config.inc"
    .include "signals.inc"
    .include "spawn.inc"
    .include "loop.inc"
    .include "log.inc"
    .include "state.inc"

    .section .note.GNU-stack, "", %progbits
