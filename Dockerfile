# The images used by docker-compose.yml: the API (the default, last stage) and the Temporal worker (target "worker").
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/BatchExports.Api -c Release -o /app \
 && dotnet publish src/BatchExports.Worker -c Release -o /worker

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS worker
WORKDIR /worker
COPY --from=build /worker .
ENTRYPOINT ["dotnet", "BatchExports.Worker.dll"]

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
ENTRYPOINT ["dotnet", "BatchExports.Api.dll"]
