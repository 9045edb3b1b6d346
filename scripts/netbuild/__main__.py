"""``python -m netbuild`` (from scripts/) runs the build, like scripts/build_network.py."""

from netbuild.pipeline import main

raise SystemExit(main())
