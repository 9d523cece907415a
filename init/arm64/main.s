// main.s: _start, the init as a list of steps; the one assembled unit, it includes every other file.
// SPDX-License-Identifier: MIT
//
// Owns: _start and the text of the start event. Build (from the repository root):
//   aarch64-linux-gnu-as -I init/arm64 -I build/arm64/gen init/arm64/main.s -o build/arm64/main.o
//   aarch64-linux-gnu-ld -static -s --build-id=none -z noexecstack -z noseparate-code \
//       build/arm64/main.o -o build/arm64/mini-init

    .include "abi.inc"
    .include "state.inc"

    .text
    .global _start

// _start: entry point from the kernel; runs the init's steps in order.
//   in:       sp -> argc, argv[0..argc-1], 0, environment[...], 0 (sp 16-byte aligned)
//   out:      x28 = the state; command_argv, environment, self_pid, is_pid1 and what the steps set
//   clobbers: everything
//   returns:  never (event_loop ends in exit_group); no frame
_start:
    adr x28, state                          // the state base, for good
    mov x0, #SIG_SETMASK                    // first of all: nothing may kill the init, not even
    adr x1, full_mask                       // the SIGPIPE of its own first warning
    add x2, x28, #original_mask             // the caller's mask, restored in the child
    mov x3, #SIGSET_BYTES
    SYSCALL SYS_rt_sigprocmask
    adr x1, text_block_signals
    bl require_success

    ldr x0, [sp]                            // argc
    add x1, sp, #REGISTER_BYTES             // argv
    str x1, [x28, #command_argv]            // the whole argv until parse_args skips the options
    add x0, x0, #1
    add x1, x1, x0, lsl #POINTER_SHIFT      // environment = argv + (argc + 1) * 8
    str x1, [x28, #environment]

    SYSCALL SYS_getpid                      // cannot fail
    str w0, [x28, #self_pid]
    cmp w0, #1
    cset w0, eq
    str w0, [x28, #is_pid1]                 // is_pid1 = (self_pid == 1)

    bl check_name
    bl read_config
    bl parse_args
    bl setup_signals
    bl setup_reaper
    bl setup_parent_death
    bl setup_terminal

    adr x0, event_start
    ldr w1, [x28, #self_pid]
    bl log_event

    bl spawn
    bl event_loop                           // never returns

    .section .rodata
event_start:            .ascii "start version="
                        VERSION_STRING
                        .asciz " pid=%d"
text_block_signals:     .asciz "block signals"

    .include "args.inc"
    .include "config.inc"
    .include "signals.inc"
    .include "spawn.inc"
    .include "loop.inc"
    .include "log.inc"

    .section .note.GNU-stack, "", %progbits
