# syntax=docker/dockerfile:1
# MailGuard: multi-stage build on the official .NET images (README, "Running in Docker").
#   docker build -t mailguard .                     the runtime image (stages build + runtime)
#   docker build --target test --build-context shared=../shared .
#                                                   CI's own run (.ci/run) inside the SDK image
# The runtime image runs the same `mailguard run` as README's quick start, as a non-root user, with
# its configuration in /etc/mailguard and its store on a volume.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig MailGuard.sln ./
COPY config/ config/
COPY src/ src/
# README's publish command; the project copies config/mailguard.json beside the executable.
RUN dotnet publish src/MailGuard.Host -c Release -o /app

# Not part of the runtime image: `.ci/run` exactly as CI runs it (installs Postfix, swaks and
# PostgreSQL with apt, then `dotnet test MailGuard.sln`, README's test command). The shared test
# corpus lives beside the checkout, so it comes in as a named build context.
FROM build AS test
COPY --from=shared . /shared
ENV MAILGUARD_SHARED=/shared
COPY . .
RUN .ci/run

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# OCR peers (README, "Inspection: OCR"): tesseract with English data reads screenshots and scans,
# pdftoppm renders image-only PDF pages. Optional: without them pictures are not read.
# libdeflate0 decodes the parts of Office files whole, faster than zlib (optional: without it
# they stream through zlib, with the same result).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-eng poppler-utils libdeflate0 \
    && rm -rf /var/lib/apt/lists/*
# A dedicated system user without a shell or a password; it owns only the store.
RUN groupadd --system mailguard \
    && useradd --system --gid mailguard --home-dir /var/lib/mailguard --shell /usr/sbin/nologin mailguard \
    && install -d -m 0700 -o mailguard -g mailguard /var/lib/mailguard \
    && install -d -m 0755 /etc/mailguard
WORKDIR /app
COPY --from=build /app ./
# /etc/mailguard/mailguard.json holds what differs in a container: listen on every interface, store
# on the volume. Every other default comes from /app/config/mailguard.json beside the executable.
# Mount your own file over it (keeping these three keys), or set keys in the environment
# (MAILGUARD_Section__Key), which takes precedence over the file. Which clients may relay is
# Relay:AllowedNetworks (loopback only until you set it, see deploy/compose.yaml). Secrets
# (Quarantine__EncryptionKey, Delivery__Smtp__Password, Storage__ConnectionString) come in the
# environment at run time, never in the image.
COPY deploy/container.json /etc/mailguard/mailguard.json
ENV DOTNET_gcServer=0
VOLUME ["/var/lib/mailguard"]
# 2525: SMTP relay (plain and STARTTLS; publish it as 25 on the host). 8025: review console, API,
# /healthz and /metrics (publish it to an internal interface only).
EXPOSE 2525 8025
USER mailguard
# The SMTP greeting on Relay:Listen and GET /healthz on Console:Listen, read from the same
# configuration as `run`.
HEALTHCHECK --interval=30s --timeout=15s --start-period=20s --retries=3 \
    CMD ["dotnet", "/app/mailguard.dll", "healthcheck", "--config", "/etc/mailguard/mailguard.json"]
# SIGTERM (docker stop) starts the graceful shutdown; give it Relay:ShutdownGracePeriod and a
# margin (docker stop -t 45, compose stop_grace_period: 45s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "/app/mailguard.dll"]
CMD ["run", "--config", "/etc/mailguard/mailguard.json"]
