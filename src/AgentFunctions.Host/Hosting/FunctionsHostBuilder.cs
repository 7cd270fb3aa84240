using AgentFunctions.Host.Configuration;
using Microsoft.AspNetCore.Builder;

namespace AgentFunctions.Host.Hosting;

/// <summary>Creates the web application builder with the content root and configuration sources Core Tools use.</summary>
public static class FunctionsHostBuilder
{
    /// <summary>
    /// A builder whose content root holds host.json (the working directory when it has one, else the output
    /// folder) and whose configuration layers host.json, local.settings.json, environment and command line.
    /// </summary>
    public static WebApplicationBuilder Create(string[] args)
    {
        var contentRoot = FunctionsConfigurationExtensions.LocateContentRoot();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = contentRoot });
        builder.Configuration.AddFunctionsConfiguration(contentRoot, args);
        return builder;
    }
}
