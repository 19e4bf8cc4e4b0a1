# magnet: a multi-stage build of the CLI (docs/cluster.md).
#   docker build -t magnet .
#   docker run --rm -v "$PWD:/work" -w /work magnet sweep examples/quickstart.yaml
#   docker run --rm magnet worker --connect tcp://coordinator-host:5555
FROM swift:6.1-bookworm AS build
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libzmq3-dev libsqlite3-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product magnet \
 && mkdir -p /out \
 && cp "$(swift build -c release --show-bin-path)/magnet" /out/ \
 && cp -R "$(swift build -c release --show-bin-path)"/*.resources /out/   # magnet_MagnetDesigner.resources: technology tables

FROM debian:bookworm-slim
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libzmq5 libsqlite3-0 libcurl4 libxml2 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# The Swift runtime libraries the binary links against.
COPY --from=build /usr/lib/swift/linux/*.so /usr/lib/swift/linux/
COPY --from=build /out/ /opt/magnet/
COPY examples /opt/magnet/examples
ENV LD_LIBRARY_PATH=/usr/lib/swift/linux
EXPOSE 5555
ENTRYPOINT ["/opt/magnet/magnet"]
CMD ["--help"]
