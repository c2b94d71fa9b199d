"""Static checks of the production stack in docker/ (no Docker engine needed).

    var/venv/bin/python docker/check.py

Reads docker-compose.yml, .env.example, the Dockerfiles compose builds,
entrypoint.sh, the nginx config and the ini templates, and checks that they fit
together:

  1. every service has a health check and a restart policy that starts it
     again when it dies (build-only services in the "base" profile excepted),
     every depends_on target exists, every named volume is declared and every
     bind-mounted file exists;
  2. every ${VAR} compose interpolates is in .env.example and the reverse;
     secrets in .env.example are placeholders;
  3. every COPY/ADD source of those Dockerfiles exists in the build context and
     is not git-ignored (nothing from var/ or a local .env gets into an image);
  4. every ${PLACEHOLDER} of config/base.ini.tmpl, production.ini.tmpl and
     logging.ini.tmpl is listed in the entrypoint's INI_VARS, and has an
     entrypoint default or is set in the environment of every CKAN container;
  5. commands and health roles compose uses are handled by the entrypoint, and
     health checks call the image's ENTRYPOINT;
  6. nginx's upstream servers are compose services;
  7. every option production.ini.tmpl sets is declared by CKAN 2.11 or an
     installed extension (skipped when CKAN is not installed).

Prints every problem found and exits with status 1, or 0 when there is none.
Needs Python >= 3.10 and PyYAML.
"""
from __future__ import annotations

import configparser
import importlib.util
import json
import re
import shlex
import shutil
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import yaml

DOCKER_DIR = Path(__file__).resolve().parent
ROOT = DOCKER_DIR.parent
COMPOSE_FILE = DOCKER_DIR / "docker-compose.yml"
ENV_EXAMPLE = DOCKER_DIR / ".env.example"
ENTRYPOINT = DOCKER_DIR / "entrypoint.sh"
CKAN_DOCKERFILE = DOCKER_DIR / "Dockerfile"
INI_TEMPLATES = [ROOT / "config" / name
                 for name in ("base.ini.tmpl", "production.ini.tmpl", "logging.ini.tmpl")]
PRODUCTION_TEMPLATE = ROOT / "config" / "production.ini.tmpl"

# Services only built, never started (`docker compose --profile base build`).
BUILD_ONLY_PROFILE = "base"
DEPENDS_ON_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
# Restart policies that start a service again after it died (a crash, a kill, a
# watchdog that stopped a stuck consumer), but not after `docker compose stop`.
RESTART_POLICIES = {"unless-stopped", "always"}
# Values a secret may have in .env.example: placeholders, never a real secret.
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN")
SECRET_PLACEHOLDERS = {"", "CHANGE_ME", "NOT_SET"}
# Options read by extensions that do not declare them (CKAN would accept them anyway).
UNDECLARED_OPTIONS = {
    "ckan.harvest.mq.hostname": "ckanext-harvest reads it without a config declaration",
}

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, ${VAR:+x}, $VAR
_BRACED = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+][^}]*)?\}")
_BARE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


# ---------------------------------------------------------------- helpers

def scalars(node: object) -> Iterator[str]:
    """Every string (keys and values) of a parsed YAML document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from scalars(key)
            yield from scalars(value)
    elif isinstance(node, list):
        for item in node:
            yield from scalars(item)
    elif isinstance(node, str):
        yield node


def interpolated_names(text: str) -> set[str]:
    """Variables compose substitutes in `text` ($$ is a literal dollar sign)."""
    text = text.replace("$$", "")
    names = set(_BRACED.findall(text))
    names.update(_BARE.findall(_BRACED.sub("", text)))
    return names


def parse_env_file(text: str) -> dict[str, str]:
    """KEY=VALUE lines of a .env file (comments, blank lines and quotes removed)."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"not KEY=VALUE: {line!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def environment(service: dict) -> dict[str, str]:
    """A service's environment, whether written as a mapping or a list."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.partition("=")[::2] for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def depends_on(service: dict) -> dict[str, dict]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: {"condition": "service_started"} for name in deps}
    return {name: spec or {} for name, spec in deps.items()}


def command_words(value: object) -> list[str]:
    if value is None:
        return []
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def is_build_only(service: dict) -> bool:
    return service.get("profiles") == [BUILD_ONLY_PROFILE]


def is_remote(context: str) -> bool:
    return "://" in context or context.startswith("git@")


def build_of(service: dict) -> tuple[str, str] | None:
    """(context, dockerfile) of a service's build section, or None."""
    build = service.get("build")
    if build is None:
        return None
    if isinstance(build, str):
        return build, "Dockerfile"
    return str(build.get("context", ".")), str(build.get("dockerfile", "Dockerfile"))


def ckan_services(compose: dict, compose_dir: Path) -> dict[str, dict]:
    """Services running the CKAN image (built from docker/Dockerfile)."""
    found = {}
    for name, service in compose.get("services", {}).items():
        build = build_of(service)
        if build and not is_remote(build[0]):
            dockerfile = (compose_dir / build[0] / build[1]).resolve()
            if dockerfile == CKAN_DOCKERFILE:
                found[name] = service
    return found


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs: continuations joined, heredoc bodies skipped."""
    instructions = []
    lines = iter(text.splitlines())
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        while stripped.endswith("\\"):
            stripped = stripped[:-1] + " " + next(lines, "").strip()
        word, _, args = stripped.partition(" ")
        instructions.append((word.upper(), args.strip()))
        for marker in re.findall(r"<<-?['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?", args):
            for body in lines:
                if body.strip() == marker:
                    break
    return instructions


def copy_sources(args: str) -> list[str] | None:
    """Sources of a COPY/ADD from the build context (None when --from= a stage/image)."""
    words = json.loads(args) if args.startswith("[") else shlex.split(args)
    flags = [w for w in words if w.startswith("--")]
    if any(f.startswith("--from=") for f in flags):
        return None
    paths = [w for w in words if not w.startswith("--")]
    return [p for p in paths[:-1] if not re.match(r"^(https?://|git@)", p)]


def git_ignored(path: Path) -> bool:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return False
    result = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", str(path)],
                            capture_output=True, check=False)
    return result.returncode == 0


def template_placeholders(text: str) -> set[str]:
    """${NAME} / $NAME placeholders exactly as scripts/render_ini.py substitutes them."""
    names = set()
    for match in string.Template.pattern.finditer(text):
        name = match.group("named") or match.group("braced")
        if name:
            names.add(name)
    return names


def entrypoint_ini_vars(text: str) -> list[str]:
    match = re.search(r"^INI_VARS=\((.*?)^\)", text, re.S | re.M)
    if not match:
        return []
    body = "\n".join(line.split("#", 1)[0] for line in match.group(1).splitlines())
    return body.split()


def entrypoint_defaults(text: str) -> set[str]:
    """Names the entrypoint gives a default with `: "${NAME:=...}"`."""
    return set(re.findall(r'^\s*:\s+"\$\{([A-Za-z_][A-Za-z0-9_]*):=', text, re.M))


def entrypoint_case_labels(text: str) -> set[str]:
    labels = set()
    for match in re.finditer(r"^\s*([A-Za-z][\w-]*(?:\|[A-Za-z][\w-]*)*)\)\s*$", text, re.M):
        labels.update(match.group(1).split("|"))
    return labels


def dockerfile_entrypoint(text: str) -> list[str]:
    for word, args in reversed(dockerfile_instructions(text)):
        if word == "ENTRYPOINT":
            return json.loads(args) if args.startswith("[") else shlex.split(args)
    return []


# ---------------------------------------------------------------- checks

def check_services(compose: dict, compose_dir: Path) -> list[str]:
    """Health checks, depends_on targets, named volumes and bind mounts."""
    problems = []
    services = compose.get("services") or {}
    if not services:
        return ["docker-compose.yml defines no services"]
    declared_volumes = set(compose.get("volumes") or {})
    used_volumes = set()
    for name, service in services.items():
        if is_build_only(service):
            if not service.get("build") or not service.get("image"):
                problems.append(f"service {name}: a build-only service needs build and image")
            continue
        health = service.get("healthcheck") or {}
        test = health.get("test")
        if not test or health.get("disable") or test in ("NONE", ["NONE"]):
            problems.append(f"service {name}: no health check")
        if service.get("restart") not in RESTART_POLICIES:
            problems.append(f"service {name}: restart policy {service.get('restart')!r} does "
                            "not start it again when it dies (use unless-stopped)")
        for target, spec in depends_on(service).items():
            condition = spec.get("condition", "service_started")
            if target not in services:
                problems.append(f"service {name}: depends_on unknown service {target}")
            elif is_build_only(services[target]):
                problems.append(f"service {name}: depends_on build-only service {target}")
            if condition not in DEPENDS_ON_CONDITIONS:
                problems.append(f"service {name}: depends_on {target} with unknown condition "
                                f"{condition!r}")
        for volume in service.get("volumes") or []:
            if isinstance(volume, dict):
                kind, source = volume.get("type", "volume"), volume.get("source")
            else:
                parts = str(volume).split(":")
                source = parts[0] if len(parts) > 1 else None
                kind = "bind" if source and source[0] in "./~" else "volume"
            if not source:
                continue  # anonymous volume
            if kind == "volume":
                used_volumes.add(source)
                if source not in declared_volumes:
                    problems.append(f"service {name}: volume {source} is not declared under "
                                    "volumes:")
            elif kind == "bind" and not (compose_dir / source).expanduser().exists():
                problems.append(f"service {name}: bind-mounted {source} does not exist")
    for unused in sorted(declared_volumes - used_volumes):
        problems.append(f"volume {unused} is declared but no service uses it")
    return problems


def check_env_example(compose: dict, env_example: dict[str, str]) -> list[str]:
    """Compose's ${VAR}s against .env.example; secrets there are placeholders."""
    problems = []
    used = set()
    for text in scalars(compose):
        used |= interpolated_names(text)
    for name in sorted(used - set(env_example)):
        problems.append(f"docker-compose.yml uses ${{{name}}}, which .env.example lacks")
    for name in sorted(set(env_example) - used):
        problems.append(f".env.example sets {name}, which docker-compose.yml does not use")
    for name, value in env_example.items():
        if SECRET_NAME.search(name) and value not in SECRET_PLACEHOLDERS:
            problems.append(f".env.example: {name} must be a placeholder "
                            f"({' / '.join(sorted(p or '(empty)' for p in SECRET_PLACEHOLDERS))})")
    return problems


def check_dockerfiles(compose: dict, compose_dir: Path) -> list[str]:
    """COPY/ADD sources of every Dockerfile compose builds from a local context."""
    problems = []
    seen = set()
    for name, service in (compose.get("services") or {}).items():
        build = build_of(service)
        if not build or is_remote(build[0]):
            continue
        context = (compose_dir / build[0]).resolve()
        dockerfile = (context / build[1]).resolve()
        if dockerfile in seen:
            continue
        seen.add(dockerfile)
        if not dockerfile.is_file():
            problems.append(f"service {name}: Dockerfile {dockerfile} does not exist")
            continue
        for word, args in dockerfile_instructions(dockerfile.read_text(encoding="utf-8")):
            if word not in ("COPY", "ADD"):
                continue
            for source in copy_sources(args) or []:
                where = f"{dockerfile.relative_to(ROOT)}: {word} {source}"
                matches = list(context.glob(source)) if any(c in source for c in "*?[") \
                    else [context / source]
                if not matches or not all(m.exists() for m in matches):
                    problems.append(f"{where}: not found in the build context {context}")
                    continue
                for match in matches:
                    if not match.resolve().is_relative_to(context):
                        problems.append(f"{where}: outside the build context")
                    elif git_ignored(match):
                        problems.append(f"{where}: git-ignored, must not go into an image")
    return problems


def check_ini_placeholders(compose: dict, compose_dir: Path, templates: dict[str, str],
                           entrypoint: str) -> list[str]:
    """Template placeholders against the entrypoint's INI_VARS and the CKAN containers."""
    problems = []
    ini_vars = entrypoint_ini_vars(entrypoint)
    if not ini_vars:
        return ["entrypoint.sh: no INI_VARS=( ... ) list"]
    placeholders = set()
    for name, text in templates.items():
        found = template_placeholders(text)
        placeholders |= found
        for missing in sorted(found - set(ini_vars)):
            problems.append(f"{name} needs ${{{missing}}}, which entrypoint.sh's INI_VARS lacks")
    for stale in sorted(set(ini_vars) - placeholders):
        problems.append(f"entrypoint.sh's INI_VARS lists {stale}, which no template uses")
    defaults = entrypoint_defaults(entrypoint)
    services = ckan_services(compose, compose_dir)
    if not services:
        problems.append("no compose service is built from docker/Dockerfile")
    for name, service in services.items():
        env = environment(service)
        for var in sorted(set(ini_vars) - defaults - set(env)):
            problems.append(f"service {name}: {var} is not set and entrypoint.sh has no default")
    return problems


def check_entrypoint_commands(compose: dict, compose_dir: Path, entrypoint: str,
                              dockerfile: str) -> list[str]:
    """Commands and health roles compose uses exist in entrypoint.sh."""
    problems = []
    labels = entrypoint_case_labels(entrypoint)
    image_entrypoint = dockerfile_entrypoint(dockerfile)
    if not image_entrypoint:
        problems.append("docker/Dockerfile has no ENTRYPOINT")
    for name, service in ckan_services(compose, compose_dir).items():
        words = command_words(service.get("command"))
        if not words or words[0] not in labels:
            problems.append(f"service {name}: command {words} is not a case of entrypoint.sh")
        test = command_words((service.get("healthcheck") or {}).get("test"))
        if test[:1] in (["CMD"], ["CMD-SHELL"]):
            test = test[1:]
        if test[:1] != image_entrypoint[:1]:
            problems.append(f"service {name}: health check {test} does not call the image's "
                            f"entrypoint {image_entrypoint}")
        elif test[1:2] != ["health"] or len(test) < 3 or test[2] not in labels:
            problems.append(f"service {name}: health check {test} is not `health ROLE` with a "
                            "role entrypoint.sh handles")
    return problems


def check_nginx(compose: dict, compose_dir: Path) -> list[str]:
    """Upstream servers in mounted nginx configs are compose services."""
    problems = []
    services = compose.get("services") or {}
    for name, service in services.items():
        for volume in service.get("volumes") or []:
            source = volume.get("source") if isinstance(volume, dict) else str(volume).split(":")[0]
            if not source or not source.endswith(".conf"):
                continue
            path = compose_dir / source
            if not path.is_file():
                continue  # reported by check_services
            text = path.read_text(encoding="utf-8")
            upstreams = re.findall(r"upstream\s+([\w.-]+)\s*\{(.*?)\}", text, re.S)
            for upstream, body in upstreams:
                for host in re.findall(r"^\s*server\s+([\w.-]+):\d+", body, re.M):
                    if host not in services:
                        problems.append(f"{source}: upstream {upstream} points at {host}, "
                                        "not a compose service")
            names = {u for u, _ in upstreams}
            for target in re.findall(r"proxy_pass\s+https?://([\w.-]+)", text):
                if target not in names and target not in services:
                    problems.append(f"{source}: proxy_pass to unknown upstream {target}")
            if not upstreams:
                problems.append(f"service {name}: {source} defines no upstream")
    return problems


def declared_options() -> set[str] | None:
    """Option names declared by CKAN and installed extensions; None without CKAN."""
    spec = importlib.util.find_spec("ckan")
    if spec is None or not spec.submodule_search_locations:
        return None
    files = [Path(p) / "config" / "config_declaration.yaml"
             for p in spec.submodule_search_locations]
    ckanext = importlib.util.find_spec("ckanext")
    locations = list(ckanext.submodule_search_locations) if ckanext else []
    locations += [str(p) for p in ROOT.glob("ckanext-*/ckanext")]
    for location in locations:
        files += Path(location).glob("*/config_declaration.yaml")
    keys = set()
    for path in files:
        if path.is_file():
            declaration = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for group in declaration.get("groups") or []:
                keys.update(str(o["key"]) for o in group.get("options") or [] if "key" in o)
    return keys


def check_declared_options(template: str, declared: set[str] | None) -> list[str]:
    if declared is None:
        print("docker/check.py: CKAN is not installed here; option names not checked",
              file=sys.stderr)
        return []
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keep SESSION_COOKIE_SECURE etc. as written
    parser.read_string(template)
    problems = []
    for key in parser.options("app:main"):
        if key != "use" and key not in declared and key not in UNDECLARED_OPTIONS:
            problems.append(f"production.ini.tmpl: {key} is not a declared CKAN 2.11 option")
    return problems


# ---------------------------------------------------------------- main

def main() -> int:
    problems: list[str] = []
    try:
        compose = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
        env_example = parse_env_file(ENV_EXAMPLE.read_text(encoding="utf-8"))
        entrypoint = ENTRYPOINT.read_text(encoding="utf-8")
        dockerfile = CKAN_DOCKERFILE.read_text(encoding="utf-8")
        templates = {p.name: p.read_text(encoding="utf-8") for p in INI_TEMPLATES}
    except (OSError, ValueError, yaml.YAMLError) as err:
        print(f"docker/check.py: cannot read the files to check: {err}", file=sys.stderr)
        return 1

    problems += check_services(compose, DOCKER_DIR)
    problems += check_env_example(compose, env_example)
    problems += check_dockerfiles(compose, DOCKER_DIR)
    problems += check_ini_placeholders(compose, DOCKER_DIR, templates, entrypoint)
    problems += check_entrypoint_commands(compose, DOCKER_DIR, entrypoint, dockerfile)
    problems += check_nginx(compose, DOCKER_DIR)
    problems += check_declared_options(templates[PRODUCTION_TEMPLATE.name], declared_options())

    for problem in problems:
        print(f"docker/check.py: {problem}", file=sys.stderr)
    if problems:
        print(f"docker/check.py: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"docker/check.py: OK ({len(compose['services'])} services, "
          f"{len(env_example)} .env.example settings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
