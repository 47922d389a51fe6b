package thaidate_test

import (
	"fmt"
	"time"

	"github.com/tidtam/tidtam/internal/thaidate"
)

func ExampleParse() {
	for _, s := range []string{
		"วันที่ ๑๗ ธันวาคม พ.ศ. ๒๕๖๗",
		"17 ธ.ค. 67",
		"17/12/2567",
		"2024-12-17",
		"31 ก.พ. 2567",
	} {
		d, err := thaidate.Parse(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(d)
	}
	// Output:
	// 2024-12-17
	// 2024-12-17
	// 2024-12-17
	// 2024-12-17
	// รูปแบบวันที่ไม่ถูกต้อง (invalid date): "31 ก.พ. 2567": เดือนกุมภาพันธ์ 2567 มีเพียง 29 วัน (February 2024 has only 29 days, not 31)
}

func ExampleFormatBE() {
	d := thaidate.Date{Year: 2024, Month: time.December, Day: 17}
	fmt.Println(thaidate.FormatBE(d))
	fmt.Println(thaidate.ToThaiDigits(thaidate.FormatBE(d)))
	fmt.Println(thaidate.FormatBEShort(d))
	fmt.Println(thaidate.FormatDateTimeBE(d.At(13, 30)))
	// Output:
	// 17 ธันวาคม 2567
	// ๑๗ ธันวาคม ๒๕๖๗
	// 17 ธ.ค. 67
	// 17 ธ.ค. 2567 เวลา 13:30 น.
}
