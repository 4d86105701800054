# Refused by both linters of check_dockerfile.mjs (the test fails if either finds nothing):
# a latest tag, apt-get without -y or cleanup, a port out of range, a deprecated
# instruction, a USER without argument and a misspelt instruction.
FROM debian:latest AS build
RUN apt-get update && apt-get install curl
RUN cd /tmp
EXPOSE 99999
MAINTAINER me
COPY --from=nonexistent /x /y
USER
ENTRYPOINT tokengate serve
HEALTHCHEK CMD true
