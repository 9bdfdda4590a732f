-- wrk script: POST /jwt with the form body given as the first argument.
function init(args)
	wrk.method = "POST"
	wrk.body = args[1]
	wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
