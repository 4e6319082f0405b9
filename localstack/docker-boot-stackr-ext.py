# LocalStack BOOT hook for the official image (see docker-compose.yml): installs the
# mounted ./plugin (stackr-localstack-ext: elbv2 + autoscaling) into the image's venv
# before the runtime starts. Pure file copy: needs no pip, no network.
import os
import pathlib
import shutil
import sysconfig
import tomllib

src = pathlib.Path(os.environ.get("STACKR_EXT_SRC", "/opt/stackr-localstack-ext"))
project = tomllib.loads((src / "pyproject.toml").read_text())["project"]
site = pathlib.Path(sysconfig.get_paths()["purelib"])  # this interpreter is LocalStack's venv

shutil.copytree(src / "stackr_localstack_ext", site / "stackr_localstack_ext", dirs_exist_ok=True)
info = site / f"stackr_localstack_ext-{project['version']}.dist-info"
info.mkdir(exist_ok=True)
(info / "METADATA").write_text(
    f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
)
lines = [f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items())
         for group, eps in project["entry-points"].items()]
(info / "entry_points.txt").write_text("\n".join(lines))
# plux caches entry points per sys.path state (mtimes rounded to ~2 min): drop the cache.
shutil.rmtree(pathlib.Path(os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache") / "plux",
              ignore_errors=True)
print(f"stackr-localstack-ext {project['version']} installed into {site}")
