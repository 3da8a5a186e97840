# Installs exactly as the README's run command does, as a non-root user.
FROM python:3.11-slim
RUN useradd --create-home --shell /usr/sbin/nologin rosca
WORKDIR /home/rosca/app
COPY --chown=rosca:rosca . .
USER rosca
RUN python3 -m venv .venv && .venv/bin/pip install --no-cache-dir -e .
ENV ROSCA_DATA_DIR=/home/rosca/data PORT=8080
VOLUME ["/home/rosca/data"]
EXPOSE 8080
# The bot applies migrations itself on every start; `serve` as the argument runs webhook mode.
ENTRYPOINT [".venv/bin/python", "-m", "bot"]
