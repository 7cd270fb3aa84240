using System.Globalization;

namespace AgentFunctions.Host.Configuration;

/// <summary>Operations view settings (<c>AgentFunctions:Operations:*</c>).</summary>
/// <param name="CostPer1KTokens">
/// <c>AgentFunctions:Operations:CostPer1KTokens</c>: the blended price of 1,000 model tokens (input and output
/// alike) in <paramref name="Currency"/>, used only to estimate run costs on the operations page.
/// </param>
/// <param name="Currency"><c>AgentFunctions:Operations:Currency</c>: the currency code shown with the estimate.</param>
public sealed record OperationsSettings(decimal CostPer1KTokens, string Currency)
{
    /// <summary>
    /// The defaults: 0.002 per 1K tokens, between a small model's price and a large one's (2025 list prices of
    /// the gpt-4o family); set your deployment's price for estimates that mean something.
    /// </summary>
    public static OperationsSettings Default { get; } = new(0.002m, "USD");

    internal static OperationsSettings Load(SettingReader read)
    {
        const string costKey = "AgentFunctions:Operations:CostPer1KTokens";
        const string currencyKey = "AgentFunctions:Operations:Currency";
        var cost = Default.CostPer1KTokens;
        if (read.String(costKey) is { } text)
        {
            if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out cost))
            {
                throw new HostConfigurationException(SettingReader.Describe(costKey), $"'{text}' is not a non-negative number; write it with a decimal point and no separators, e.g. 0.002.");
            }

            if (cost is < 0 or > 1000)
            {
                throw new HostConfigurationException(SettingReader.Describe(costKey), $"{text} is out of range; allowed 0 to 1000.");
            }
        }

        var currency = read.String(currencyKey) ?? Default.Currency;
        return currency.Length is < 1 or > 8 || !currency.All(char.IsAsciiLetterUpper)
            ? throw new HostConfigurationException(SettingReader.Describe(currencyKey), $"'{currency}' is not a currency code such as USD or EUR.")
            : new OperationsSettings(cost, currency);
    }
}
