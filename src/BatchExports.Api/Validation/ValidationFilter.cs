using FluentValidation;
using ValidationException = BatchExports.Core.Errors.ValidationException;
using Microsoft.AspNetCore.Mvc.Filters;

namespace BatchExports.Api.Validation;

/// <summary>
/// The one place request validators run: for every action argument with an <see cref="IValidator{T}"/>, validate and
/// turn the first failure into PostHog's envelope (DRF reports one error; the property name is the <c>attr</c>).
/// </summary>
public sealed class ValidationFilter(IServiceProvider services) : IAsyncActionFilter
{
    /// <summary>Set for PATCH: validators relax "required" rules as DRF's partial updates do.</summary>
    public const string PartialKey = "partial";

    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        // Binding problems our JSON formatter does not own (e.g. a route or query value of the wrong type).
        if (!context.ModelState.IsValid)
        {
            var (key, entry) = context.ModelState.First(e => e.Value!.Errors.Count > 0);
            throw new ValidationException(entry!.Errors[0].ErrorMessage is { Length: > 0 } message ? message : "Invalid value.", key.Length == 0 ? null : key, "invalid");
        }

        foreach (var argument in context.ActionArguments.Values)
        {
            if (argument == null || FindValidator(argument.GetType()) is not { } validator)
            {
                continue;
            }

            var validationContext = new ValidationContext<object>(argument);
            validationContext.RootContextData[PartialKey] = HttpMethods.IsPatch(context.HttpContext.Request.Method);
            var result = await validator.ValidateAsync(validationContext, context.HttpContext.RequestAborted);
            if (!result.IsValid)
            {
                var failure = result.Errors[0];
                throw new ValidationException(
                    failure.ErrorMessage,
                    string.IsNullOrEmpty(failure.PropertyName) ? null : failure.PropertyName,
                    string.IsNullOrEmpty(failure.ErrorCode) ? "invalid" : failure.ErrorCode);
            }
        }

        await next();
    }

    /// <summary>The validator of the argument's type, or of the nearest base type that has one.</summary>
    private IValidator? FindValidator(Type type)
    {
        for (var current = type; current != null && current != typeof(object); current = current.BaseType)
        {
            if (services.GetService(typeof(IValidator<>).MakeGenericType(current)) is IValidator validator)
            {
                return validator;
            }
        }

        return null;
    }
}

/// <summary>DRF's field errors, for validators to report with PostHog's messages and codes.</summary>
public static class DrfErrors
{
    public static void Fail<T>(this ValidationContext<T> context, string attr, string message, string code = "invalid") =>
        context.AddFailure(new FluentValidation.Results.ValidationFailure(attr, message) { ErrorCode = code });

    public static bool IsPartial<T>(this ValidationContext<T> context) =>
        context.RootContextData.TryGetValue(ValidationFilter.PartialKey, out var partial) && partial is true;

    public static void Required<T>(this ValidationContext<T> context, string attr) => context.Fail(attr, "This field is required.", "required");

    public static void NotNull<T>(this ValidationContext<T> context, string attr) => context.Fail(attr, "This field may not be null.", "null");

    public static void NotBlank<T>(this ValidationContext<T> context, string attr) => context.Fail(attr, "This field may not be blank.", "blank");

    public static void InvalidChoice<T>(this ValidationContext<T> context, string attr, string value) =>
        context.Fail(attr, $"\"{value}\" is not a valid choice.", "invalid_choice");
}
