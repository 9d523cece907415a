# main.s: _start, the init as a list of steps; the one assembled unit, it includes every other file.
# SPDX-License-Identifier: MIT
#
# Owns: _start and the text of the start event. Build (from the repository root):
#   riscv64-linux-gnu-as -march=rv64gc -mabi=lp64d -I init/riscv64 -I build/riscv64/gen \
#       init/riscv64/main.s -o build/riscv64/main.o
#   riscv64-linux-gnu-ld -static -s --build-id=none -z noexecstack -z noseparate-code \
#       build/riscv64/main.o -o build/riscv64/mini-init

    .include "abi.inc"
    .include "state.inc"

    .text
    .global _start

# _start: entry point from the kernel; runs the init's steps in order.
#   in:       sp -> argc, argv[0..argc-1], 0, environment[...], 0 (sp 16-byte aligned)
#   out:      s0 = the state, gp = the global pointer; command_argv, environment, self_pid,
#             is_pid1 and what the steps set
#   clobbers: everything
#   returns:  never (event_loop ends in exit_group); no frame
_start:
    .option push
    .option norelax                         # gp itself must not be relaxed against gp
    la gp, __global_pointer$
    .option pop
    la s0, state                            # the state base, for good
    li a0, SIG_SETMASK                      # first of all: nothing may kill the init, not even
    la a1, full_mask                        # the SIGPIPE of its own first warning
    addi a2, s0, original_mask              # the caller's mask, restored in the child
    li a3, SIGSET_BYTES
    SYSCALL SYS_rt_sigprocmask
    la a1, text_block_signals
    call require_success

    ld a0, 0(sp)                            # argc
    addi a1, sp, REGISTER_BYTES             # argv
    sd a1, command_argv(s0)                 # the whole argv until parse_args skips the options
    addi a0, a0, 1
    slli a0, a0, POINTER_SHIFT
    add a1, a1, a0                          # environment = argv + (argc + 1) * 8
    sd a1, environment(s0)

    SYSCALL SYS_getpid                      # cannot fail
    sw a0, self_pid(s0)
    addi a0, a0, -1
    seqz a0, a0
    sw a0, is_pid1(s0)                      # is_pid1 = (self_pid == 1)

    call check_name
    call read_config
    call parse_args
    call setup_signals
    call setup_reaper
    call setup_parent_death
    call setup_terminal

    la a0, event_start
    lw a1, self_pid(s0)
    call log_event

    call spawn
    call event_loop                         # never returns

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
