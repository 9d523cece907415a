# SPDX-License-Identifier: MIT
"""The mutation catalog: every bug `mini-init-tools mutate` plants (docs/testing.md).

Each changes one routine, written once per architecture tree, and names the tests under
tests/init that must catch it.

A snippet is copied from the tree byte for byte and must occur exactly once in its file; an empty
replacement deletes it. A new architecture's tree gets its snippets in the same `patches` mappings
(docs/testing.md says how)."""

from mini_init_tools.mutation import Mutation, Patch

MUTATIONS: tuple[Mutation, ...] = (
    # Signals ------------------------------------------------------------------------------------
    Mutation(
        name="forward-to-pid-only",
        plants="a running child's signals go to its pid alone, never to its process group",
        routine="send_signal",
        tests=(
            "test_signals.py::test_forwarded_signal_reaches_child_and_grandchildren",
            "test_drop_in.py::test_signal_target_is_the_group_or_the_main_child_alone",
        ),
        patches={
            "amd64": Patch(
                "signals.inc", "    cmp dword [rbp + single_child], 0\n    je .kill\n", ""
            ),
            "arm64": Patch(
                "signals.inc",
                "    ldr w0, [x28, #single_child]\n    cbz w0, .Lsend_signal_kill\n",
                "",
            ),
            "riscv64": Patch(
                "signals.inc",
                "    lw a0, single_child(s0)\n    beqz a0, .Lsend_signal_kill\n",
                "",
            ),
        },
        fast=True,
    ),
    Mutation(
        name="single-child-option-ignored",
        plants="-c / --single-child stores 0 (like -g): the group is still signalled",
        routine="parse_args (option_table)",
        tests=("test_drop_in.py::test_signal_target_is_the_group_or_the_main_child_alone",),
        patches={
            "amd64": Patch(
                "args.inc",
                "OPTION 'c', OPTION_ON,    single_child",
                "OPTION 'c', OPTION_OFF,   single_child",
            ),
            "arm64": Patch(
                "args.inc",
                "OPTION 'c', OPTION_ON,    single_child",
                "OPTION 'c', OPTION_OFF,   single_child",
            ),
            "riscv64": Patch(
                "args.inc",
                "OPTION 'c', OPTION_ON,    single_child",
                "OPTION 'c', OPTION_OFF,   single_child",
            ),
        },
    ),
    Mutation(
        name="rewrite-table-ignored",
        plants="the -r / EP_REWRITE table is never read: every signal is forwarded as it came",
        routine="on_signal",
        tests=(
            "test_drop_in.py::test_rewrite_forwards_s_as_r",
            "test_drop_in.py::test_rewrite_to_0_drops_the_signal",
        ),
        patches={
            "amd64": Patch(
                "signals.inc", "movzx eax, byte [rbp + rewrite_table + rbx]", "xor eax, eax"
            ),
            "arm64": Patch("signals.inc", "ldrb w2, [x2, x19]", "mov w2, #0"),
            "riscv64": Patch("signals.inc", "lbu a2, rewrite_table(a2)", "li a2, 0"),
        },
    ),
    Mutation(
        name="hup-is-a-stop-request",
        plants="HUP is back in the soft set: it arms the grace timer and forbids a restart",
        routine="on_signal",
        tests=(
            "test_restart.py::test_child_killed_by_a_forwarded_hup_is_restarted",
            "test_first_hour.py::test_hup_is_forwarded_and_arms_no_timer",
        ),
        patches={
            "amd64": Patch(
                "signals.inc",
                "mov eax, SOFT_SIGNAL_MASK",
                "mov eax, SOFT_SIGNAL_MASK | (1 << 1)",
            ),
            "arm64": Patch(
                "signals.inc",
                "mov x1, #SOFT_SIGNAL_MASK",
                "mov x1, #(SOFT_SIGNAL_MASK | (1 << 1))",
            ),
            "riscv64": Patch(
                "signals.inc",
                "li a1, SOFT_SIGNAL_MASK",
                "li a1, SOFT_SIGNAL_MASK | (1 << 1)",
            ),
        },
    ),
    Mutation(
        name="self-raised-signal-forwarded",
        plants="a signal the init raised itself (SIGPIPE of a log write) is forwarded to the app",
        routine="on_signal",
        tests=("test_logging.py::test_closed_or_broken_stderr_changes_nothing",),
        keyword="broken-pipe",
        patches={
            "amd64": Patch(
                "signals.inc",
                "    je .not_forwarded                       ; raised by the init itself"
                " (a log write's SIGPIPE)\n",
                "",
            ),
            "arm64": Patch(
                "signals.inc",
                "    b.eq .Lon_signal_not_forwarded          // raised by the init itself"
                " (a log write's SIGPIPE)\n",
                "",
            ),
            "riscv64": Patch(
                "signals.inc",
                "    beq a1, a2, .Lon_signal_not_forwarded   # raised by the init itself"
                " (a log write's SIGPIPE)\n",
                "",
            ),
        },
    ),
    Mutation(
        name="eperm-not-warned",
        plants="a signal the init may not send (EPERM) fails silently, without its warning",
        routine="send_signal",
        tests=(
            (
                "test_pid1_faults.py::"
                "test_signals_the_unprivileged_init_may_not_send_warn_and_are_not_logged_as_sent"
            ),
        ),
        patches={
            "amd64": Patch(
                "signals.inc", "    call warn\n    mov rax, r13\n", "    mov rax, r13\n"
            ),
            "arm64": Patch("signals.inc", "    bl warn\n    mov x0, x21\n", "    mov x0, x21\n"),
            "riscv64": Patch("signals.inc", "    call warn\n    mv a0, s3\n", "    mv a0, s3\n"),
        },
    ),
    Mutation(
        name="sigchld-ignore-inherited",
        plants="SIGCHLD is not reset to its default, so a caller's SIG_IGN makes the kernel reap",
        routine="setup_signals",
        tests=("test_drop_in.py::test_caller_ignoring_sigchld_still_gets_the_app_status",),
        patches={
            "amd64": Patch("signals.inc", "SYSCALL SYS_rt_sigaction", "xor eax, eax"),
            "arm64": Patch("signals.inc", "SYSCALL SYS_rt_sigaction", "mov x0, #0"),
            "riscv64": Patch("signals.inc", "SYSCALL SYS_rt_sigaction", "li a0, 0"),
        },
    ),
    # Reaping and the exit status ----------------------------------------------------------------
    Mutation(
        name="reap-main-child-only",
        plants="wait4 asks for the main child's pid, not -1: orphans stay zombies",
        routine="reap_all",
        tests=(
            "test_reaping.py::test_pid1_reaps_orphans_without_warning",
            "test_reaping.py::test_subreaper_plain_child_reaps_orphans",
        ),
        patches={
            "amd64": Patch(
                "loop.inc",
                "mov rdi, -1                             ; wait4(-1,",
                "movsxd rdi, [rbp + child_pid]           ; wait4(-1,",
            ),
            "arm64": Patch(
                "loop.inc",
                "mov x0, #-1                             // wait4(-1,",
                "ldrsw x0, [x28, #child_pid]             // wait4(-1,",
            ),
            "riscv64": Patch(
                "loop.inc",
                "li a0, -1                               # wait4(-1,",
                "lw a0, child_pid(s0)                    # wait4(-1,",
            ),
        },
    ),
    Mutation(
        name="one-reap-per-wake-up",
        plants="each wake-up reaps one child and then says children remain",
        routine="reap_all",
        tests=(
            "test_reaping.py::test_main_status_is_not_confused_by_exits_in_the_same_burst",
            "test_reaping.py::test_pid1_reaps_orphans_without_warning",
        ),
        patches={
            "amd64": Patch(
                "loop.inc",
                "    call log_event\n    jmp .next\n.done:\n",
                "    call log_event\n    xor eax, eax\n.done:\n",
            ),
            "arm64": Patch(
                "loop.inc",
                "    bl log_event\n    b .Lreap_all_next\n.Lreap_all_done:\n",
                "    bl log_event\n    mov x0, #0\n.Lreap_all_done:\n",
            ),
            "riscv64": Patch(
                "loop.inc",
                "    call log_event\n    j .Lreap_all_next\n.Lreap_all_done:\n",
                "    call log_event\n    li a0, 0\n.Lreap_all_done:\n",
            ),
        },
    ),
    Mutation(
        name="orphan-status-wins",
        plants="every reaped orphan's code overwrites the run's exit status",
        routine="reap_all",
        tests=("test_reaping.py::test_main_status_is_not_confused_by_exits_in_the_same_burst",),
        patches={
            "amd64": Patch(
                "loop.inc",
                ".other:\n",
                ".other:\n    mov [rbp + exit_status], r13d\n",
            ),
            "arm64": Patch(
                "loop.inc",
                ".Lreap_all_other:\n",
                ".Lreap_all_other:\n    str w21, [x28, #exit_status]\n",
            ),
            "riscv64": Patch(
                "loop.inc",
                ".Lreap_all_other:\n",
                ".Lreap_all_other:\n    sw s3, exit_status(s0)\n",
            ),
        },
        fast=True,
    ),
    Mutation(
        name="core-bit-kept",
        plants="the signal is taken as status & 0xff, so a core dump adds 128 to it",
        routine="reap_all",
        tests=(
            (
                "test_exit_status.py::"
                "test_child_that_dumps_core_gives_base_plus_signal_without_the_core_bit"
            ),
        ),
        patches={
            "amd64": Patch("loop.inc", "and ecx, WAIT_SIGNAL_MASK", "and ecx, 0xff"),
            "arm64": Patch("loop.inc", "ands w1, w1, #WAIT_SIGNAL_MASK", "ands w1, w1, #0xff"),
            "riscv64": Patch("loop.inc", "andi a1, a1, WAIT_SIGNAL_MASK", "andi a1, a1, 0xff"),
        },
    ),
    Mutation(
        name="no-255-cap",
        plants="base + signal is not capped at 255, so it wraps modulo 256",
        routine="reap_all",
        tests=(
            "test_exit_status.py::test_exit_code_base_is_added_to_the_signal_and_capped_at_255",
        ),
        patches={
            "amd64": Patch(
                "loop.inc", "    mov ecx, EXIT_CODE_MAX\n    cmp eax, ecx\n    cmova eax, ecx\n", ""
            ),
            "arm64": Patch(
                "loop.inc",
                "    mov w2, #EXIT_CODE_MAX\n    cmp w0, w2\n    csel w0, w0, w2, ls\n",
                "",
            ),
            "riscv64": Patch(
                "loop.inc", "    bleu a0, a2, .Lreap_all_capped\n    mv a0, a2\n", ""
            ),
        },
    ),
    Mutation(
        name="exit-remap-ignored",
        plants="-e / EP_EXIT_REMAP is never applied: the status stays as it is",
        routine="exit_init",
        tests=("test_drop_in.py::test_exit_remap_turns_the_status_into_0",),
        patches={
            "amd64": Patch(
                "loop.inc",
                "    cmovne ebx, eax                         ; a status counted as success\n",
                "",
            ),
            "arm64": Patch("loop.inc", "csel x19, x0, xzr, eq", "mov x19, x0"),
            "riscv64": Patch("loop.inc", "    beqz a1, .Lexit_init_log\n    li s1, 0\n", ""),
        },
        fast=True,
    ),
    # Shutdown: the grace timer, escalation, the drain -------------------------------------------
    Mutation(
        name="escalation-logged-not-sent",
        plants="the grace timer's SIGKILL is logged as sent but never sent",
        routine="check_deadline",
        tests=(
            "test_shutdown.py::test_zero_grace_kills_term_ignoring_child_right_after_forwarding",
            "test_exit_status.py::test_escalation_to_sigkill_gives_base_plus_9",
        ),
        patches={
            "amd64": Patch(
                "loop.inc", "    mov edi, SIGKILL\n    call send_signal\n", "    xor eax, eax\n"
            ),
            "arm64": Patch(
                "loop.inc", "    mov x0, #SIGKILL\n    bl send_signal\n", "    mov x0, #0\n"
            ),
            "riscv64": Patch(
                "loop.inc", "    li a0, SIGKILL\n    call send_signal\n", "    li a0, 0\n"
            ),
        },
    ),
    Mutation(
        name="deadline-late-by-1s",
        plants="every deadline is armed one second later than it says",
        routine="arm_deadline",
        tests=(
            "test_config.py::test_valid_grace_seconds_is_used_silently",
            "test_shutdown.py::test_zero_grace_kills_term_ignoring_child_right_after_forwarding",
        ),
        patches={
            "amd64": Patch(
                "loop.inc",
                "    imul rcx, rbx, NSEC_PER_SEC",
                "    lea rcx, [rbx + 1]\n    imul rcx, rcx, NSEC_PER_SEC",
            ),
            "arm64": Patch(
                "loop.inc",
                "    madd x0, x19, x1, x0",
                "    add x2, x19, #1\n    madd x0, x2, x1, x0",
            ),
            "riscv64": Patch(
                "loop.inc",
                "    mul a1, s1, a1",
                "    addi a2, s1, 1\n    mul a1, a2, a1",
            ),
        },
        fast=True,
    ),
    Mutation(
        name="grace-timer-restarted",
        plants="every wake-up after a stop request arms a new grace timer",
        routine="advance",
        tests=(
            "test_shutdown.py::test_second_term_is_forwarded_and_does_not_restart_the_grace_timer",
        ),
        patches={
            "amd64": Patch(
                "loop.inc",
                "    jne .return                             ; the grace timer of a stop request"
                " keeps running\n",
                "",
            ),
            "arm64": Patch(
                "loop.inc",
                "    cbnz x0, .Ladvance_return               // the grace timer of a stop request"
                " keeps running\n",
                "",
            ),
            "riscv64": Patch(
                "loop.inc",
                "    bnez a0, .Ladvance_return               # the grace timer of a stop request"
                " keeps running\n",
                "",
            ),
        },
    ),
    Mutation(
        name="no-drain",
        plants="the run ends as soon as the main child is reaped: leftovers get nothing",
        routine="advance",
        tests=(
            "test_shutdown.py::test_group_leftover_gets_term_and_flushes_before_the_init_exits",
        ),
        patches={
            "amd64": Patch(
                "loop.inc",
                ".exited:\n    call leftovers_gone\n    test eax, eax\n    jnz .finish\n",
                ".exited:\n    jmp .finish\n",
            ),
            "arm64": Patch(
                "loop.inc",
                ".Ladvance_exited:\n    bl leftovers_gone\n    cbnz x0, .Ladvance_finish\n",
                ".Ladvance_exited:\n    b .Ladvance_finish\n",
            ),
            "riscv64": Patch(
                "loop.inc",
                ".Ladvance_exited:\n    call leftovers_gone\n    bnez a0, .Ladvance_finish\n",
                ".Ladvance_exited:\n    j .Ladvance_finish\n",
            ),
        },
        fast=True,
    ),
    Mutation(
        name="drain-sends-kill",
        plants="the drain starts with SIGKILL: leftovers get no SIGTERM and no time to flush",
        routine="advance",
        tests=(
            "test_shutdown.py::test_group_leftover_gets_term_and_flushes_before_the_init_exits",
        ),
        patches={
            "amd64": Patch("loop.inc", "mov ebx, SIGTERM", "mov ebx, SIGKILL"),
            "arm64": Patch("loop.inc", "mov x19, #SIGTERM", "mov x19, #SIGKILL"),
            "riscv64": Patch("loop.inc", "li s1, SIGTERM", "li s1, SIGKILL"),
        },
    ),
    Mutation(
        name="sigcont-not-sent",
        plants="the drain sends no SIGCONT: a stopped leftover never runs its SIGTERM handler",
        routine="advance",
        tests=("test_mutation_gaps.py::test_stopped_group_leftover_is_continued_to_see_its_term",),
        patches={
            "amd64": Patch(
                "loop.inc",
                "    mov edi, SIGCONT                        ; stopped leftovers must run to see"
                " the SIGTERM\n    call send_signal\n",
                "",
            ),
            "arm64": Patch(
                "loop.inc",
                "    mov x0, #SIGCONT                        // stopped leftovers must run to see"
                " the SIGTERM\n    bl send_signal\n",
                "",
            ),
            "riscv64": Patch(
                "loop.inc",
                "    li a0, SIGCONT                          # stopped leftovers must run to see"
                " the SIGTERM\n    call send_signal\n",
                "",
            ),
        },
    ),
    Mutation(
        name="pid1-drains-group-only",
        plants="as PID 1 the drain signals the last group only, not kill(-1)",
        routine="send_signal",
        tests=(
            "test_shutdown.py::test_detached_daemon_gets_term_and_flushes_before_the_init_exits",
        ),
        patches={
            "amd64": Patch(
                "signals.inc",
                "    mov r12, -1                             ; PID 1 after the main child:"
                " everybody else\n",
                "",
            ),
            "arm64": Patch(
                "signals.inc",
                "    mov x20, #-1                            // PID 1 after the main child:"
                " everybody else\n",
                "",
            ),
            "riscv64": Patch(
                "signals.inc",
                "    li s2, -1                               # PID 1 after the main child:"
                " everybody else\n",
                "",
            ),
        },
    ),
    Mutation(
        name="exec-visitors-not-waited-for",
        plants="leftovers_gone trusts have_children only: nobody's children (docker exec) are"
        " not waited for",
        routine="leftovers_gone",
        tests=(
            "test_pid1_faults.py::test_exec_visitor_gets_term_and_time_to_flush_when_the_app_exits",
        ),
        patches={
            "amd64": Patch(
                "loop.inc",
                "    cmp rax, -ESRCH\n    jne .return                             ; yes\n",
                "",
            ),
            "arm64": Patch(
                "loop.inc", "    cmn x0, #ESRCH\n    csel x0, x1, xzr, eq\n", "    mov x0, x1\n"
            ),
            "riscv64": Patch(
                "loop.inc",
                "    addi a0, a0, ESRCH\n    seqz a0, a0\n    and a0, a0, a1\n",
                "    mv a0, a1\n",
            ),
        },
    ),
    # Restart ------------------------------------------------------------------------------------
    Mutation(
        name="restart-after-normal-exit",
        plants="a run that exited normally is restarted like a crash",
        routine="finish_run",
        tests=("test_restart.py::test_normal_exit_is_never_restarted",),
        patches={
            "amd64": Patch(
                "loop.inc",
                "    je .exit                                ; a normal exit is never restarted\n",
                "",
            ),
            "arm64": Patch(
                "loop.inc",
                "    cbz w0, .Lfinish_run_exit               // a normal exit is never restarted\n",
                "",
            ),
            "riscv64": Patch(
                "loop.inc",
                "    beqz a0, .Lfinish_run_exit              # a normal exit is never restarted\n",
                "",
            ),
        },
    ),
    # The child and its terminal -----------------------------------------------------------------
    Mutation(
        name="terminal-not-handed-over",
        plants="the child reads the terminal's foreground group (TIOCGPGRP) instead of taking it",
        routine="child_start",
        tests=(
            "test_terminal.py::test_init_started_in_the_foreground_hands_the_terminal_to_its_child",
            "test_terminal.py::test_shell_starts_with_job_control_and_owns_the_terminal",
        ),
        patches={
            "amd64": Patch("spawn.inc", "mov esi, TIOCSPGRP", "mov esi, TIOCGPGRP"),
            "arm64": Patch("spawn.inc", "mov x1, #TIOCSPGRP", "mov x1, #TIOCGPGRP"),
            "riscv64": Patch("spawn.inc", "li a1, TIOCSPGRP", "li a1, TIOCGPGRP"),
        },
    ),
    Mutation(
        name="eacces-ends-the-path-search",
        plants="a PATH match that cannot be executed ends the search with 126",
        routine="exec_command",
        tests=("test_exec.py::test_not_executable_match_in_path_does_not_stop_the_search",),
        patches={
            "amd64": Patch(
                "spawn.inc",
                "    mov r14d, 1                             ; remember it, try the next entry\n"
                "    jmp .after_entry\n",
                "    jmp .return\n",
            ),
            "arm64": Patch(
                "spawn.inc",
                "    mov x23, #1                             // remember it, try the next entry\n"
                "    b .Lexec_command_after_entry\n",
                "    b .Lexec_command_return\n",
            ),
            "riscv64": Patch(
                "spawn.inc",
                "    li s5, 1                                # remember it, try the next entry\n"
                "    j .Lexec_command_after_entry\n",
                "    j .Lexec_command_return\n",
            ),
        },
    ),
    # Logging and warnings -----------------------------------------------------------------------
    Mutation(
        name="log-write-blocks",
        plants="log lines go out with a plain blocking write, past the ppoll and RWF_NOWAIT",
        routine="write_stderr",
        tests=(
            (
                "test_pid1_faults.py::"
                "test_stalled_log_reader_blocks_neither_reaping_nor_signals_nor_the_app"
            ),
        ),
        keyword="1500",
        patches={
            "amd64": Patch(
                "log.inc",
                "    jle .dropped                            ; not ready now (0), or EINTR\n",
                "    jmp .plain\n",
            ),
            "arm64": Patch(
                "log.inc",
                "    b.le .Lwrite_stderr_dropped             // not ready now (0), or EINTR\n",
                "    b .Lwrite_stderr_plain\n",
            ),
            "riscv64": Patch(
                "log.inc",
                "    blez a0, .Lwrite_stderr_dropped         # not ready now (0), or EINTR\n",
                "    j .Lwrite_stderr_plain\n",
            ),
        },
    ),
    Mutation(
        name="reaping-warning-never-given",
        plants="an init that is neither PID 1 nor a subreaper does not warn",
        routine="setup_reaper",
        tests=("test_reaping.py::test_plain_child_without_subreaper_warns_in_one_line",),
        patches={
            "amd64": Patch("loop.inc", "    mov edi, format_not_a_reaper\n    call warn\n", ""),
            "arm64": Patch("loop.inc", "    adr x0, format_not_a_reaper\n    bl warn\n", ""),
            "riscv64": Patch("loop.inc", "    la a0, format_not_a_reaper\n    call warn\n", ""),
        },
    ),
    Mutation(
        name="reaping-warning-under-another-init",
        plants="the init warns it cannot reap even when its parent is PID 1 (stacked inits)",
        routine="setup_reaper",
        tests=("test_drop_in.py::test_no_reaping_warning_when_the_parent_is_pid_1",),
        patches={
            "amd64": Patch(
                "loop.inc",
                "    cmp eax, 1\n    je .return                              ; stacked under"
                " another init: it reaps the orphans\n",
                "",
            ),
            "arm64": Patch(
                "loop.inc",
                "    cmp x0, #1\n    b.eq .Lsetup_reaper_return              // stacked under"
                " another init: it reaps the orphans\n",
                "",
            ),
            "riscv64": Patch(
                "loop.inc",
                "    li a1, 1\n    beq a0, a1, .Lsetup_reaper_return       # stacked under"
                " another init: it reaps the orphans\n",
                "",
            ),
        },
    ),
    Mutation(
        name="inherited-subreaper-not-seen",
        plants="an init that inherited the subreaper attribute across exec still warns",
        routine="setup_reaper",
        tests=(
            (
                "test_drop_in.py::"
                "test_no_reaping_warning_when_the_subreaper_attribute_was_inherited_across_exec"
            ),
        ),
        patches={
            "amd64": Patch("loop.inc", "    cmp dword [rbp + timeout], 0\n    jne .return\n", ""),
            "arm64": Patch(
                "loop.inc",
                "    ldr w0, [x28, #timeout]\n    cbnz w0, .Lsetup_reaper_return\n",
                "",
            ),
            "riscv64": Patch(
                "loop.inc", "    lw a0, timeout(s0)\n    bnez a0, .Lsetup_reaper_return\n", ""
            ),
        },
    ),
    Mutation(
        name="tini-version-line-lost",
        plants="--version prints `mini-init <v>` even when invoked as tini or docker-init",
        routine="print_version",
        tests=("test_drop_in.py::test_version_in_the_form_dockerd_parses_when_invoked_as_tini",),
        patches={
            "amd64": Patch(
                "args.inc",
                "    cmp dword [rbp + tini_mode], 0\n    je print_and_exit\n",
                "    jmp print_and_exit\n",
            ),
            "arm64": Patch(
                "args.inc",
                "    ldr w0, [x28, #tini_mode]\n    cbz w0, print_and_exit\n",
                "    b print_and_exit\n",
            ),
            "riscv64": Patch(
                "args.inc",
                "    lw a0, tini_mode(s0)\n    beqz a0, print_and_exit\n",
                "    j print_and_exit\n",
            ),
        },
    ),
)
