# syntax=docker/dockerfile:1
# MailGuard: multi-stage build on the official .NET images. The runtime stage runs the same
# `mailguard run` as README's quick start, as a non-root user, with config/ and a data volume.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig MailGuard.sln ./
COPY src/ src/
RUN dotnet publish src/MailGuard.Host/MailGuard.Host.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN groupadd --system mailguard && useradd --system --gid mailguard --home-dir /var/lib/mailguard --shell /usr/sbin/nologin mailguard \
    && mkdir -p /var/lib/mailguard /etc/mailguard \
    && chown mailguard:mailguard /var/lib/mailguard
WORKDIR /app
COPY --from=build /app ./
COPY config/mailguard.json /etc/mailguard/mailguard.json
ENV MAILGUARD_Storage__Directory=/var/lib/mailguard \
    MAILGUARD_Delivery__PickupDirectory=/var/lib/mailguard/pickup \
    DOTNET_gcServer=0
VOLUME ["/var/lib/mailguard"]
# 2525: relay (plain, STARTTLS); 4650: implicit TLS submission; 8080: console, API, /healthz, /metrics.
EXPOSE 2525 4650 8080
USER mailguard
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["dotnet", "/app/mailguard.dll", "healthcheck"]
ENTRYPOINT ["dotnet", "/app/mailguard.dll"]
CMD ["run", "--config", "/etc/mailguard/mailguard.json"]
