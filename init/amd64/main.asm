; main.asm: _start, the init as a list of steps; the one assembled unit, it includes every other file.
; SPDX-License-Identifier: MIT
;
; Owns: _start and the text of the start event. Build (from the repository root):
;   nasm -f elf64 -Ox -I init/amd64/ -I build/amd64/gen/ init/amd64/main.asm -o build/amd64/main.o
;   ld -static -s --build-id=none -z noexecstack -z noseparate-code \
;       build/amd64/main.o -o build/amd64/mini-init

%include "abi.inc"

section .text
global _start

; _start: entry point from the kernel; runs the init's steps in order.
;   in:       rsp -> argc, argv[0..argc-1], 0, environment[...], 0 (rsp 16-byte aligned)
;   out:      command_argv, environment, self_pid, is_pid1 and everything the steps set
;   clobbers: everything
;   returns:  never (event_loop ends in exit_group)
_start:
    mov rax, [rsp]                          ; argc
    lea rdx, [rsp + REGISTER_BYTES]         ; argv
    mov [command_argv], rdx                 ; the whole argv until parse_args skips the options
    lea rdx, [rdx + rax * REGISTER_BYTES + REGISTER_BYTES]
    mov [environment], rdx                  ; environment = argv + (argc + 1) * 8
    call parse_args

    SYSCALL SYS_getpid                          ; cannot fail
    mov [self_pid], rax
    xor edx, edx
    cmp rax, 1
    sete dl
    mov [is_pid1], rdx                      ; is_pid1 = (self_pid == 1)

    call read_config
    call parse_forward_signals
    call setup_signals
    call setup_reaper

    lea rdi, [text_start]                   ; log_event("start version=<v>", " pid=", self_pid)
    lea rsi, [key_pid]
    mov rdx, [self_pid]
    xor ecx, ecx
    call log_event

    call spawn
    call event_loop                         ; never returns

section .rodata
text_start:     db "start version=", VERSION_STRING, 0

%include "args.inc"
%include "config.inc"
%include "signals.inc"
%include "spawn.inc"
%include "loop.inc"
%include "log.inc"
%include "state.inc"

section .note.GNU-stack noalloc noexec nowrite progbits
