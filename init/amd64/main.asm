; main.asm: _start, the init as a list of steps; the one assembled unit, it includes every other file.
; SPDX-License-Identifier: MIT
;
; Owns: _start and the text of the start event. Build (from the repository root):
;   nasm -f elf64 -Ox -I init/amd64/ -I build/amd64/gen/ init/amd64/main.asm -o build/amd64/main.o
;   ld -static -s --build-id=none -z noexecstack -z noseparate-code \
;       build/amd64/main.o -o build/amd64/mini-init

%include "abi.inc"
%include "state.inc"

section .text
global _start

; _start: entry point from the kernel; runs the init's steps in order.
;   in:       rsp -> argc, argv[0..argc-1], 0, environment[...], 0 (rsp 16-byte aligned)
;   out:      rbp = the state; command_argv, environment, self_pid, is_pid1 and what the steps set
;   clobbers: everything
;   returns:  never (event_loop ends in exit_group); no frame
_start:
    mov ebp, state                          ; the state base, for good
    mov edi, SIG_SETMASK                    ; first of all: nothing may kill the init, not even
    mov esi, full_mask                      ; the SIGPIPE of its own first warning
    lea rdx, [rbp + original_mask]          ; the caller's mask, restored in the child
    mov r10d, SIGSET_BYTES
    SYSCALL SYS_rt_sigprocmask
    mov edi, text_block_signals
    call require_success

    mov rax, [rsp]                          ; argc
    lea rdx, [rsp + REGISTER_BYTES]         ; argv
    mov [rbp + command_argv], rdx           ; the whole argv until parse_args skips the options
    lea rdx, [rdx + rax * REGISTER_BYTES + REGISTER_BYTES]
    mov [rbp + environment], rdx            ; environment = argv + (argc + 1) * 8

    SYSCALL SYS_getpid                      ; cannot fail
    mov [rbp + self_pid], eax
    cmp eax, 1
    sete [rbp + is_pid1]                    ; is_pid1 = (self_pid == 1)

    call check_name
    call read_config
    call parse_args
    call setup_signals
    call setup_reaper
    call setup_parent_death
    call setup_terminal

    mov edi, event_start
    mov esi, [rbp + self_pid]
    call log_event

    call spawn
    call event_loop                         ; never returns

section .rodata
event_start:            db "start version=", VERSION_STRING, " pid=%d", 0
text_block_signals:     db "block signals", 0

%include "args.inc"
%include "config.inc"
%include "signals.inc"
%include "spawn.inc"
%include "loop.inc"
%include "log.inc"

section .note.GNU-stack noalloc noexec nowrite progbits
