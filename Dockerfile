# syntax=docker/dockerfile:1
# Two images from one build:
#   docker build --target operator -t distill-operator:0.1.0 .
#   docker build --target trainer  -t distill-trainer:0.1.0 .
# Both run as uid 10001. The trainer carries libtorch (CPU); docs/gpu.md says how to build the CUDA variant.
# The runtime bases are Ubuntu 24.04 images, whose libstdc++ TorchSharp loads as it is (no ELF fix needed there).
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0-noble
ARG OPERATOR_RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled
ARG TRAINER_RUNTIME_IMAGE=mcr.microsoft.com/dotnet/runtime:10.0-noble

FROM ${SDK_IMAGE} AS build
WORKDIR /src
# Restore first, from the project files alone, so a source change does not re-download packages.
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props .editorconfig ./
COPY build/ build/
COPY src/DistillOperator.Api/DistillOperator.Api.csproj src/DistillOperator.Api/
COPY src/DistillOperator.Training/DistillOperator.Training.csproj src/DistillOperator.Training/
COPY src/DistillOperator.Trainer/DistillOperator.Trainer.csproj src/DistillOperator.Trainer/
COPY src/DistillOperator/DistillOperator.csproj src/DistillOperator/
RUN dotnet restore src/DistillOperator/DistillOperator.csproj && dotnet restore src/DistillOperator.Trainer/DistillOperator.Trainer.csproj
COPY src/ src/
RUN dotnet publish src/DistillOperator/DistillOperator.csproj -c Release --no-restore -o /out/operator
RUN dotnet publish src/DistillOperator.Trainer/DistillOperator.Trainer.csproj -c Release --no-restore -o /out/trainer

FROM ${OPERATOR_RUNTIME_IMAGE} AS operator
WORKDIR /app
COPY --from=build /out/operator ./
USER 10001
EXPOSE 8080
ENTRYPOINT ["dotnet", "/app/DistillOperator.dll"]

FROM ${TRAINER_RUNTIME_IMAGE} AS trainer
WORKDIR /app
COPY --from=build /out/trainer ./
USER 10001
ENV HOME=/tmp DOTNET_CLI_TELEMETRY_OPTOUT=1
ENTRYPOINT ["dotnet", "/app/DistillOperator.Trainer.dll"]
