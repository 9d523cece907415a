# SPDX-License-Identifier: MIT
"""LICENSE holds the license the README names: MIT, by the mini-init authors."""

from mini_init_tools.paths import REPO_ROOT

MIT_GRANT = "Permission is hereby granted, free of charge, to any person obtaining a copy"


def test_license_file_is_the_mit_license_of_the_mini_init_authors() -> None:
    text = (REPO_ROOT / "LICENSE").read_text()
    assert text.splitlines()[:3] == ["MIT License", "", "Copyright (c) the mini-init authors"]
    assert MIT_GRANT in text


def test_readme_points_at_the_license_file() -> None:
    assert "License: MIT, see [LICENSE](LICENSE)." in (REPO_ROOT / "README.md").read_text()

