; SPDX-License-Identifier: MIT
; floor.asm: the benchmark's floor, the least an init can do (amd64, NASM, no libc).
;
; It blocks every signal, forks, and the child restores the caller's mask and executes argv[1]
; (an absolute path: no PATH search). The parent waits for signals: SIGCHLD reaps every child that
; has exited, and exits with the app's status (128 + signal when a signal killed it) once the app
; is among them; any other signal is sent on to the app. No options, no messages, no grace period,
; no process group: every table of `mini-init-tools bench` shows how far each init is from this.

bits 64
default rel

SYS_KILL            equ 62
SYS_FORK            equ 57
SYS_EXECVE          equ 59
SYS_EXIT            equ 60
SYS_WAIT4           equ 61
SYS_RT_SIGPROCMASK  equ 14
SYS_RT_SIGTIMEDWAIT equ 128

SIG_SETMASK         equ 2
SIGSET_BYTES        equ 8
SIGCHLD             equ 17
WNOHANG             equ 1
EXIT_EXEC_FAILED    equ 127
EXIT_SIGNAL_BASE    equ 128
SIGINFO_BYTES       equ 128

section .bss
alignb 8
caller_mask: resq 1                 ; the mask the init was started with, for the child
wait_status: resd 1
alignb 8
siginfo:     resb SIGINFO_BYTES

section .rodata
alignb 8
every_signal: dq -1

section .text
global _start

; _start: rsp points at argc, then argv[], NULL, envp[]. Never returns.
; r12 = argv, r13 = envp, r14 = the app's pid.
_start:
    lea     r12, [rsp + 8]
    mov     rax, [rsp]
    lea     r13, [r12 + rax * 8 + 8]
    mov     eax, SYS_RT_SIGPROCMASK
    mov     edi, SIG_SETMASK
    lea     rsi, [every_signal]
    lea     rdx, [caller_mask]
    mov     r10d, SIGSET_BYTES
    syscall
    mov     eax, SYS_FORK
    syscall
    test    eax, eax
    jz      run_app
    js      exit_exec_failed
    mov     r14d, eax

; wait_for_signal: take the next pending signal; SIGCHLD reaps, any other goes to the app.
wait_for_signal:
    mov     eax, SYS_RT_SIGTIMEDWAIT
    lea     rdi, [every_signal]
    lea     rsi, [siginfo]
    xor     edx, edx
    mov     r10d, SIGSET_BYTES
    syscall
    test    eax, eax
    js      wait_for_signal         ; EINTR: ask again
    cmp     eax, SIGCHLD
    je      reap
    mov     esi, eax
    mov     edi, r14d
    mov     eax, SYS_KILL
    syscall                         ; the app may be gone already: nothing to do then
    jmp     wait_for_signal

; reap: collect every exited child; leave when the app is one of them.
reap:
    mov     eax, SYS_WAIT4
    mov     edi, -1
    lea     rsi, [wait_status]
    mov     edx, WNOHANG
    xor     r10d, r10d
    syscall
    test    eax, eax
    jle     wait_for_signal         ; none left that exited (0), or no children at all (-ECHILD)
    cmp     eax, r14d
    jne     reap
    mov     eax, [wait_status]
    mov     edi, eax
    and     edi, 0x7f               ; the signal that killed it, or 0 when it exited
    jz      exited
    add     edi, EXIT_SIGNAL_BASE
    jmp     exit
exited:
    movzx   edi, ah                 ; the exit code
exit:
    mov     eax, SYS_EXIT
    syscall

; run_app: in the child: the caller's mask back, then execve(argv[1], &argv[1], envp).
run_app:
    mov     eax, SYS_RT_SIGPROCMASK
    mov     edi, SIG_SETMASK
    lea     rsi, [caller_mask]
    xor     edx, edx
    mov     r10d, SIGSET_BYTES
    syscall
    mov     eax, SYS_EXECVE
    mov     rdi, [r12 + 8]
    lea     rsi, [r12 + 8]
    mov     rdx, r13
    syscall
exit_exec_failed:
    mov     edi, EXIT_EXEC_FAILED
    jmp     exit
