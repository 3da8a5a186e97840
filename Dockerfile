# Installs exactly as the README's run command does; runs as a non-root user.
FROM python:3.11-slim
# A fixed uid, so a bind-mounted host folder can be handed to it: chown 1000:1000 FOLDER.
RUN useradd --create-home --uid 1000 --shell /usr/sbin/nologin rosca
WORKDIR /home/rosca/app
# Code and venv stay owned by root: the bot (user rosca) can read them, not rewrite them.
COPY . .
RUN python3 -m venv .venv && .venv/bin/pip install --no-cache-dir -e . \
    && .venv/bin/python -m compileall -q bot core handlers migrations
# The data folder must exist, owned by rosca, before VOLUME: a new named volume starts as a copy of
# it (owner included); a path missing from the image mounts root-owned and the bot cannot write.
RUN mkdir -p /home/rosca/data && chown rosca:rosca /home/rosca/data && chmod 700 /home/rosca/data
ENV ROSCA_DATA_DIR=/home/rosca/data PORT=8080
VOLUME ["/home/rosca/data"]
USER rosca
# Webhook mode (`serve`) listens here; polling mode (no argument) needs no port.
EXPOSE 8080
# The bot applies migrations itself on every start. No HEALTHCHECK: only `serve` has a web server
# (/healthz); the README shows one to add with `docker run --health-cmd` in webhook mode.
ENTRYPOINT [".venv/bin/python", "-m", "bot"]
